"""Mail waiting to be sent, and form stamps already used.

Public forms never talk to the mail server: they add an `OutgoingMail` row in the
same transaction as their own rows, and the server's outbox loop sends it. A request
then takes the same time whatever the address's state (issue 18, item 1).
"""

from django.db import models
from django.db.models.functions import Now
from django.utils.translation import gettext_lazy as _


class OutgoingKind(models.TextChoices):
    MESSAGE = "message", _("Message")
    # A password reset asked for an address: the sender looks the address up and writes
    # the message (or nothing), so the request does the same work either way.
    PASSWORD_RESET = "password-reset", _("Password reset request")


class OutgoingMail(models.Model):
    """One email to one recipient, rendered when the request was made, sent in the background."""

    kind = models.CharField(
        _("kind"),
        max_length=20,
        choices=OutgoingKind.choices,
        default=OutgoingKind.MESSAGE,
        help_text=_("A rendered message, or a password reset the sender still has to resolve."),
    )
    purpose = models.CharField(
        _("purpose"),
        max_length=40,
        help_text=_(
            "What the mail is for, e.g. 'signature-confirm'; logged instead of the address."
        ),
    )
    recipient = models.EmailField(
        _("recipient"),
        blank=True,
        help_text=_("The address it goes to; emptied once the mail is sent or given up."),
    )
    recipient_domain = models.CharField(
        _("recipient domain"),
        max_length=255,
        help_text=_("The part after @, for the per-domain ceiling on mails per minute."),
    )
    subject = models.CharField(
        _("subject"), max_length=300, blank=True, help_text=_("Emptied once sent.")
    )
    body_text = models.TextField(
        _("text"), blank=True, help_text=_("The plain-text part; emptied once sent.")
    )
    body_html = models.TextField(
        _("HTML"), blank=True, help_text=_("The HTML part, if any; emptied once sent.")
    )
    headers = models.JSONField(
        _("headers"), default=dict, blank=True, help_text=_("Extra headers, e.g. List-Unsubscribe.")
    )
    created_at = models.DateTimeField(
        _("queued at"), db_default=Now(), help_text=_("When the request queued it.")
    )
    attempts = models.PositiveSmallIntegerField(
        _("attempts"), default=0, help_text=_("Sending attempts so far.")
    )
    next_attempt_at = models.DateTimeField(
        _("next attempt"),
        db_default=Now(),
        help_text=_("Not tried again before this time (back-off after a failure)."),
    )
    sent_at = models.DateTimeField(
        _("sent at"),
        null=True,
        blank=True,
        help_text=_("When the mail server accepted it; the row is deleted after a retention."),
    )
    failed_at = models.DateTimeField(
        _("given up at"),
        null=True,
        blank=True,
        help_text=_("When the last allowed attempt failed; the row is deleted after a retention."),
    )
    last_error = models.CharField(
        _("last error"),
        max_length=200,
        blank=True,
        help_text=_("The last failure's kind and SMTP code, never the address."),
    )

    class Meta:
        verbose_name = _("outgoing mail")
        verbose_name_plural = _("outgoing mail")
        indexes = [
            models.Index(fields=["sent_at", "failed_at", "next_attempt_at"], name="outbox_due"),
            models.Index(fields=["recipient_domain", "sent_at"], name="outbox_domain_sent"),
        ]

    def __str__(self):
        return str(_("Outgoing mail #%(pk)s") % {"pk": self.pk})


class ConsumedStamp(models.Model):
    """A form stamp already used once: a second form sent with it is refused."""

    nonce = models.CharField(
        _("nonce"),
        max_length=40,
        unique=True,
        help_text=_("The random part of the stamp; it says nothing about who sent the form."),
    )
    created_at = models.DateTimeField(
        _("used at"),
        db_default=Now(),
        help_text=_("Deleted once the stamp would have expired anyway."),
    )

    class Meta:
        verbose_name = _("used form stamp")
        verbose_name_plural = _("used form stamps")
        indexes = [models.Index(fields=["created_at"], name="consumedstamp_created")]

    def __str__(self):
        return self.nonce
