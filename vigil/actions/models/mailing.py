"""Email updates: subscribers, and each sending of an update with one row per recipient.

A mailing is resumable because every recipient gets a `Delivery` row before the first
message goes out; a worker that dies mid-send leaves `pending` rows for the next run.
"""

from django.conf import settings
from django.db import models
from django.db.models.functions import Now
from django.utils.translation import gettext_lazy as _


class Subscriber(models.Model):
    """A person who asked for the campaign's email updates in one language."""

    email = models.EmailField(
        _("email"), unique=True, help_text=_("Normalised (trimmed, lower case).")
    )
    language = models.CharField(
        _("language"), max_length=10, help_text=_("Updates are sent in this language.")
    )
    created_at = models.DateTimeField(
        _("subscribed at"), db_default=Now(), help_text=_("When the request was made.")
    )
    confirmed_at = models.DateTimeField(
        _("confirmed at"),
        null=True,
        blank=True,
        help_text=_("When the address was confirmed. Only confirmed subscribers get updates."),
    )

    class Meta:
        verbose_name = _("subscriber")
        verbose_name_plural = _("subscribers")
        indexes = [models.Index(fields=["language", "confirmed_at"])]

    def __str__(self):
        return str(_("Subscriber #%(pk)s") % {"pk": self.pk})


class MailingStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    SENDING = "sending", _("Sending")
    DONE = "done", _("Sent")


class Mailing(models.Model):
    """One published update sent to the confirmed subscribers of one language."""

    page = models.ForeignKey(
        "news.UpdatePage",
        verbose_name=_("update"),
        on_delete=models.PROTECT,
        related_name="mailings",
        help_text=_("The update that is sent."),
    )
    language = models.CharField(
        _("language"), max_length=10, help_text=_("Subscribers of this language receive it.")
    )
    subject = models.CharField(
        _("subject"), max_length=200, help_text=_("The subject line: the update's title.")
    )
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=MailingStatus.choices,
        default=MailingStatus.QUEUED,
        help_text=_("Queued mailings are sent by the server's mail worker."),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("requested by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("The editor who asked for the send."),
    )
    created_at = models.DateTimeField(_("requested at"), db_default=Now())
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    last_error = models.CharField(_("last error"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("mailing")
        verbose_name_plural = _("mailings")
        constraints = [
            # Sending the same update twice to one language is never intended.
            models.UniqueConstraint(fields=["page", "language"], name="actions_mailing_once"),
        ]
        permissions = [("send_mailing", _("Can send updates to subscribers"))]

    def __str__(self):
        return self.subject


class Delivery(models.Model):
    """One recipient of one mailing; `sent_at` is set as soon as the server accepted it."""

    mailing = models.ForeignKey(Mailing, on_delete=models.CASCADE, related_name="deliveries")
    subscriber = models.ForeignKey(
        Subscriber, null=True, on_delete=models.SET_NULL, related_name="deliveries"
    )
    email = models.EmailField(_("email"))
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    error = models.CharField(_("error"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")
        constraints = [
            models.UniqueConstraint(fields=["mailing", "email"], name="actions_delivery_once"),
        ]
        indexes = [models.Index(fields=["mailing", "sent_at"])]

    def __str__(self):
        return str(_("Delivery #%(pk)s") % {"pk": self.pk})
