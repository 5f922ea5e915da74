"""Admin report: background tasks that failed, wait, run or ran.

A task that failed after its retries stays here with its error for a week
(vigil/core/tasks.py), so an editor who asks "did the mailing go out?" and the person
who runs the server see the same record.
"""

from django.db.models import Case, When
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult
from wagtail.admin.ui.tables import Column, DateColumn
from wagtail.admin.views.reports import ReportView
from wagtail.permission_policies import ModelPermissionPolicy

from .admin_columns import TemplateColumn
from .registry import task_label

# django-tasks has no Russian or Kazakh catalogue: the report says the status in words of
# its own, translated with the rest of Vigil.
STATUS_LABELS = {
    TaskResultStatus.READY: pgettext_lazy("task status", "Waiting"),
    TaskResultStatus.RUNNING: pgettext_lazy("task status", "Running"),
    TaskResultStatus.FAILED: pgettext_lazy("task status", "Failed"),
    TaskResultStatus.SUCCESSFUL: pgettext_lazy("task status", "Done"),
}


def status_label(result: DBTaskResult) -> str:
    return STATUS_LABELS.get(result.status, result.status)


class TaskColumn(TemplateColumn):
    """The task's name in the editor's language (schedule_register's label), and its path."""

    def get_cell_context_data(self, instance, parent_context):
        context = super().get_cell_context_data(instance, parent_context)
        context["label"] = task_label(task_path=instance.task_path)
        return context


class TaskReportView(ReportView):
    page_title = _("Background tasks")
    header_icon = "cogs"
    index_url_name = "task_report:index"
    index_results_url_name = "task_report:results"
    model = DBTaskResult
    permission_required = "view"
    no_results_message = _("No background task has run yet. Is a worker running?")
    # The status first: on a phone the columns past the second are off screen, and
    # "did it run?" is what an editor opens the report for.
    columns = [
        Column("status", label=_("Status"), accessor=status_label),
        TaskColumn("task_path", label=_("Task"), template_name="core/admin/task_cell.html"),
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
