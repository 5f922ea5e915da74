from django.utils.translation import gettext_lazy as _
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from .models import OfficialMirror


class OfficialMirrorViewSet(SnippetViewSet):
    model = OfficialMirror
    icon = "site"
    menu_label = _("Official mirrors")
    list_display = ("name", "url", "sort_order")
    add_to_admin_menu = False


register_snippet(OfficialMirrorViewSet)
