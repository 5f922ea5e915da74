from django.templatetags.static import static
from django.urls import include, path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.widgets.button import Button

from . import services, urls, views


@hooks.register("register_admin_urls")
def register_accounts_urls():
    return [path("two-factor/", include(urls, namespace="vigil_accounts"))]


@hooks.register("insert_global_admin_css")
def sign_in_css():
    return format_html('<link rel="stylesheet" href="{}">', static("accounts/sign-in.css"))


@hooks.register("after_create_user")
def enrolment_link_for_new_user(request, user):
    """A new account sets up its second factor only through a one-time link: emailed to
    the new editor, and shown once to the administrator who made the account."""
    views.enrolment_link_issue(request, user=user)


@hooks.register("register_user_listing_buttons")
def two_factor_reset_button(user, request_user):
    if not services.user_can_reset_two_factor(actor=request_user, user=user):
        return []
    return [
        Button(
            _("Reset two-factor authentication"),
            url=reverse("vigil_accounts:reset", args=[user.pk]),
            icon_name="key",
            priority=90,
        )
    ]


@hooks.register("register_log_actions")
def register_accounts_log_actions(actions):
    actions.register_action("vigil.sign_in", _("Sign in"), _("Signed in with a password"))
    actions.register_action(
        "vigil.sign_in_failed", _("Failed sign-in"), _("A sign-in with a wrong password failed")
    )
    actions.register_action(
        "vigil.two_factor_setup",
        _("Two-factor set up"),
        _("Set up two-factor authentication"),
    )
    actions.register_action(
        "vigil.enrolment_link",
        _("Two-factor set-up link"),
        _("Made a one-time link to set up two-factor authentication"),
    )
    actions.register_action(
        "vigil.two_factor_verified",
        _("Two-factor passed"),
        _("Passed the second factor of sign-in"),
    )
    actions.register_action(
        "vigil.two_factor_failed",
        _("Two-factor failed"),
        _("Entered a wrong two-factor code"),
    )
    actions.register_action(
        "vigil.two_factor_reset",
        _("Two-factor reset"),
        _("Two-factor authentication was reset"),
    )
    actions.register_action(
        "vigil.recovery_codes_new",
        _("New recovery codes"),
        _("Made new recovery codes"),
    )
