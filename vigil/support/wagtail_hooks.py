from django.utils.translation import gettext_lazy as _
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from .models import Statement


class StatementViewSet(SnippetViewSet):
    model = Statement
    icon = "openquote"
    menu_label = _("Support register")
    menu_name = "support_register"
    menu_order = 230
    add_to_admin_menu = True
    list_display = ["who", "supporter_type", "date", "country", "case"]
    list_filter = ["supporter_type", "case"]
    search_fields = ["who", "quote"]
    ordering = ["-date"]


register_snippet(StatementViewSet)
