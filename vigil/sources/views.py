"""Admin report: the cited sources that could not be read, and where each is cited."""

from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from wagtail.admin.ui.tables import DateColumn
from wagtail.admin.views.reports import ReportView
from wagtail.permission_policies import ModelPermissionPolicy

from vigil.core.admin_columns import TemplateColumn

from . import services
from .models import SourceLink


class BrokenSourcesReportView(ReportView):
    page_title = _("Broken sources")
    header_icon = "warning"
    index_url_name = "sources_report:broken"
    index_results_url_name = "sources_report:broken_results"
    model = SourceLink
    permission_required = "view"
    no_results_message = _("Every cited source could be read at the last check.")
    list_export = ["url", "status", "http_status", "error", "first_failed_at", "last_checked_at"]
    export_headings = {
        "url": _("Address"),
        "status": _("Status"),
        "http_status": _("HTTP status"),
        "error": _("Error"),
        "first_failed_at": _("Failing since"),
        "last_checked_at": _("Last checked"),
    }
    columns = [
        TemplateColumn("url", label=_("Address"), template_name="sources/admin/url_cell.html"),
        TemplateColumn(
            "status", label=_("Problem"), template_name="sources/admin/status_cell.html"
        ),
        DateColumn("first_failed_at", label=_("Failing since")),
        DateColumn("last_checked_at", label=_("Last checked")),
        TemplateColumn(
            "usages", label=_("Cited in"), template_name="sources/admin/usages_cell.html"
        ),
    ]

    @cached_property
    def permission_policy(self):
        return ModelPermissionPolicy(SourceLink)

    def get_queryset(self):
        return services.sources_broken()

    def decorate_paginated_queryset(self, object_list):
        links = list(object_list)
        usages = services.source_usages_describe(
            urls=[link.url for link in links], user=self.request.user
        )
        for link in links:
            link.usages = usages.get(link.url, [])
        return links
