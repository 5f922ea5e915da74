from django.contrib.auth.models import Permission
from django.db.models import Q
from django.urls import include, path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.admin.widgets import Button
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from vigil.news.models import UpdatePage

from . import admin_views
from .models import ExternalPetition

admin_urls = [
    path("", admin_views.overview, name="overview"),
    path("petitions/<int:pk>/signatures.csv", admin_views.signatures_export, name="export"),
    path("erase/", admin_views.erase, name="erase"),
    path("mailings/new/<int:page_id>/", admin_views.mailing_new, name="mailing_new"),
    path("mailings/<int:page_id>/", admin_views.mailing_progress, name="mailing_progress"),
    path(
        "mailings/<int:page_id>/progress.json",
        admin_views.mailing_progress_json,
        name="mailing_progress_json",
    ),
]


@hooks.register("register_admin_urls")
def register_actions_admin_urls():
    return [path("actions/", include((admin_urls, "actions_admin")))]


class ExternalPetitionViewSet(SnippetViewSet):
    model = ExternalPetition
    icon = "link-external"
    menu_label = _("External petitions")
    menu_name = "external_petitions"
    menu_order = 240
    add_to_admin_menu = True
    list_display = ["title", "platform", "case"]


register_snippet(ExternalPetitionViewSet)


class ActionsMenuItem(MenuItem):
    def is_shown(self, request):
        return request.user.has_perm("wagtailadmin.access_admin")


@hooks.register("register_admin_menu_item")
def register_actions_menu_item():
    return ActionsMenuItem(
        _("Petitions and email"),
        reverse("actions_admin:overview"),
        name="petitions-and-email",
        icon_name="mail",
        order=235,
    )


@hooks.register("register_page_header_buttons")
def send_update_button(page, user, view_name, next_url=None):
    if (
        isinstance(page.specific_deferred, UpdatePage)
        and page.live
        and user.has_perm("actions.send_mailing")
    ):
        yield Button(
            _("Send to subscribers"),
            reverse("actions_admin:mailing_new", args=[page.pk]),
            icon_name="mail",
            priority=80,
        )


@hooks.register("register_permissions")
def register_actions_permissions():
    return Permission.objects.filter(
        Q(content_type__app_label="actions")
        & Q(
            codename__in=[
                "export_signature",
                "send_mailing",
                "delete_signature",
                "delete_subscriber",
            ]
        )
    )


@hooks.register("register_log_actions")
def register_actions_log_actions(actions):
    actions.register_action(
        "vigil.export_signatures", _("Export signatures"), _("Signatures exported as CSV")
    )
    actions.register_action(
        "vigil.erase_person", _("Erase a person"), _("A person's data was erased on request")
    )
    actions.register_action(
        "vigil.mailing_queue", _("Send to subscribers"), _("Queued for sending to subscribers")
    )
    actions.register_action(
        "vigil.mailing_sent", _("Sent to subscribers"), _("Sending to subscribers finished")
    )
