from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem

from .views import translations_report


@hooks.register("register_admin_urls")
def register_translations_report_url():
    return [path("reports/translations/", translations_report, name="translations_report")]


class TranslationsMenuItem(MenuItem):
    def is_shown(self, request):
        return request.user.has_perm("wagtailadmin.access_admin")


@hooks.register("register_reports_menu_item")
def register_translations_menu_item():
    return TranslationsMenuItem(
        _("Translations to do"),
        reverse("translations_report"),
        name="translations-to-do",
        icon_name="globe",
        order=1200,
    )
