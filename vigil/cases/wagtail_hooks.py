from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.ui.components import Component
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from .models import TimelineEvent
from .services import WATCH_DAYS, cases_watch_list


class CaseWatchPanel(Component):
    """Dashboard: orders and deadlines that need an editor's eye in the next two weeks."""

    name = "case_watch"
    template_name = "cases/admin/case_watch_panel.html"
    order = 50

    def get_context_data(self, parent_context):
        context = super().get_context_data(parent_context)
        context["watch"] = cases_watch_list()
        context["watch_days"] = WATCH_DAYS
        return context


@hooks.register("construct_homepage_panels")
def add_case_watch_panel(request, panels):
    panels.append(CaseWatchPanel())


class TimelineEventViewSet(SnippetViewSet):
    model = TimelineEvent
    icon = "date"
    menu_label = _("Timeline")
    menu_order = 220
    add_to_admin_menu = True
    list_display = ["date", "title", "kind", "case"]
    list_filter = ["kind", "case"]
    search_fields = ["title"]
    ordering = ["-date"]


register_snippet(TimelineEventViewSet)
