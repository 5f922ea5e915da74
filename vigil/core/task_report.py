"""Admin report: background tasks that failed, wait, run or ran.

A task that failed after its retries stays here with its error for a week
(vigil/core/tasks.py), so an editor who asks "did the mailing go out?" and the person
who runs the server see the same record.
"""

from django.db.models import Case, When
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult
from wagtail.admin.ui.tables import Column, DateColumn
from wagtail.admin.views.reports import ReportView
from wagtail.permission_policies import ModelPermissionPolicy

from .admin_columns import TemplateColumn


class TaskReportView(ReportView):
    page_title = _("Background tasks")
    header_icon = "cogs"
    index_url_name = "task_report:index"
    index_results_url_name = "task_report:results"
    model = DBTaskResult
    permission_required = "view"
    no_results_message = _("No background task has run yet. Is a worker running?")
    columns = [
        TemplateColumn("task_path", label=_("Task"), template_name="core/admin/task_cell.html"),
        Column("status", label=_("Status"), accessor="get_status_display"),
        DateColumn("enqueued_at", label=_("Queued")),
        DateColumn("finished_at", label=_("Finished")),
        TemplateColumn(
            "traceback", label=_("Error"), template_name="core/admin/task_error_cell.html"
        ),
    ]

    @cached_property
    def permission_policy(self):
        return ModelPermissionPolicy(DBTaskResult)

    def get_queryset(self):
        # Failed first, then what runs and what waits; finished ones last.
        rank = Case(
            When(status=TaskResultStatus.FAILED, then=0),
            When(status=TaskResultStatus.RUNNING, then=1),
            When(status=TaskResultStatus.READY, then=2),
            default=3,
        )
        return DBTaskResult.objects.annotate(rank=rank).order_by("rank", "-enqueued_at")
