from django.urls import include, path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.permission_policies import ModelPermissionPolicy

from .models import SourceLink
from .views import BrokenSourcesReportView

report_urls = [
    path("", BrokenSourcesReportView.as_view(), name="broken"),
    path(
        "results/",
        BrokenSourcesReportView.as_view(results_only=True),
        name="broken_results",
    ),
]


@hooks.register("register_admin_urls")
def register_broken_sources_report_url():
    return [path("reports/broken-sources/", include((report_urls, "sources_report")))]


class BrokenSourcesMenuItem(MenuItem):
    def is_shown(self, request):
        return ModelPermissionPolicy(SourceLink).user_has_permission(request.user, "view")


@hooks.register("register_reports_menu_item")
def register_broken_sources_menu_item():
    return BrokenSourcesMenuItem(
        _("Broken sources"),
        reverse("sources_report:broken"),
        name="broken-sources",
        icon_name="warning",
        order=1100,
    )
