"""One-time links through which an editor sets up their second factor."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class EnrolmentInvitation(models.Model):
    """A link that lets one account set up two-factor authentication, once.

    Without it, whoever learns an editor's password before the editor has set up an
    authenticator could set up their own. Only a digest of the link's token is kept.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="enrolment_invitations",
        help_text=_("The account this link lets set up two-factor authentication."),
    )
    token_digest = models.CharField(
        max_length=64,
        unique=True,
        help_text=_("SHA-256 of the link's secret token (the token itself is not kept)."),
    )
    created_at = models.DateTimeField(auto_now_add=True, help_text=_("When the link was made."))
    expires_at = models.DateTimeField(help_text=_("After this the link no longer works."))
    used_at = models.DateTimeField(
        null=True, blank=True, help_text=_("When two-factor was set up through it; empty: unused.")
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("The administrator who made it; empty: a command or make run."),
    )

    class Meta:
        verbose_name = _("two-factor enrolment link")
        verbose_name_plural = _("two-factor enrolment links")

    def __str__(self):
        return f"enrolment link for user {self.user_id}"
