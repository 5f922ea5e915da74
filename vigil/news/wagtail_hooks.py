from django.utils.translation import gettext_lazy as _
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from .models import Series


class SeriesViewSet(SnippetViewSet):
    model = Series
    icon = "list-ol"
    menu_label = _("Series")
    menu_order = 210
    add_to_admin_menu = True
    list_display = ["title", "slug", "is_complete"]
    search_fields = ["title"]


register_snippet(SeriesViewSet)
