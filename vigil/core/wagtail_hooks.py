from django.urls import include, path, reverse
from django.utils.translation import gettext_lazy as _
from django_tasks_db.models import DBTaskResult
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.permission_policies import ModelPermissionPolicy

from vigil.core.page_views import page_viewset

from .task_report import TaskReportView


@hooks.register("register_admin_viewset")
def register_page_viewset():
    # Registered for the base Page model after Wagtail's own (order -1), so it replaces
    # Wagtail's default viewset for every page type that has no viewset of its own.
    return page_viewset


task_report_urls = [
    path("", TaskReportView.as_view(), name="index"),
    path("results/", TaskReportView.as_view(results_only=True), name="results"),
]


@hooks.register("register_admin_urls")
def register_task_report_url():
    return [path("reports/background-tasks/", include((task_report_urls, "task_report")))]


class TaskReportMenuItem(MenuItem):
    def is_shown(self, request):
        return ModelPermissionPolicy(DBTaskResult).user_has_permission(request.user, "view")


@hooks.register("register_reports_menu_item")
def register_task_report_menu_item():
    return TaskReportMenuItem(
        _("Background tasks"),
        reverse("task_report:index"),
        name="background-tasks",
        icon_name="cogs",
        order=1200,
    )
