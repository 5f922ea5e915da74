from django.utils.translation import gettext_lazy as _
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from .models import Series, TagTranslation


class SeriesViewSet(SnippetViewSet):
    model = Series
    icon = "list-ol"
    menu_label = _("Series")
    menu_order = 210
    add_to_admin_menu = True
    list_display = ["title", "slug", "is_complete"]
    search_fields = ["title"]


register_snippet(SeriesViewSet)


class TagTranslationViewSet(SnippetViewSet):
    model = TagTranslation
    icon = "tag"
    menu_label = _("Tag names")
    menu_name = "tag_names"
    menu_order = 215
    add_to_admin_menu = True
    list_display = ["name", "tag", "language"]
    list_filter = ["language"]
    search_fields = ["name"]


register_snippet(TagTranslationViewSet)
