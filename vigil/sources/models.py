"""The health of the external sources the campaign cites: one row per distinct address."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class LinkStatus(models.TextChoices):
    OK = "ok", _("OK")
    REDIRECTED = "redirected", _("Moved permanently")
    BROKEN = "broken", _("Broken")
    TIMEOUT = "timeout", _("Timed out")
    ERROR = "error", _("Could not connect")
    UNCHECKED = "unchecked", _("Not checked yet")


#: Statuses an editor should look at: the source cannot be read at its address.
FAILING_STATUSES = (LinkStatus.BROKEN, LinkStatus.TIMEOUT, LinkStatus.ERROR)


class SourceLink(models.Model):
    """The result of the latest check of one external source address."""

    url = models.URLField(
        _("address"),
        max_length=1000,
        unique=True,
        help_text=_("The source's address as editors entered it."),
    )
    status = models.CharField(
        _("status"),
        max_length=12,
        choices=LinkStatus.choices,
        default=LinkStatus.UNCHECKED,
        help_text=_("What the latest check found."),
    )
    http_status = models.PositiveSmallIntegerField(
        _("HTTP status"),
        null=True,
        blank=True,
        help_text=_("The status code of the last answer, e.g. 200 or 404; empty if none came."),
    )
    final_url = models.URLField(
        _("final address"),
        max_length=1000,
        blank=True,
        help_text=_("Where the address led after redirects; empty if it did not move."),
    )
    error = models.CharField(
        _("error"),
        max_length=300,
        blank=True,
        help_text=_("A short description of what went wrong, if anything."),
    )
    last_checked_at = models.DateTimeField(
        _("last checked"),
        null=True,
        blank=True,
        help_text=_("When the address was last checked."),
    )
    first_failed_at = models.DateTimeField(
        _("failing since"),
        null=True,
        blank=True,
        help_text=_("When the checks started failing; empty while the source can be read."),
    )
    checked_count = models.PositiveIntegerField(
        _("checks"), default=0, help_text=_("How many times the address has been checked.")
    )

    class Meta:
        verbose_name = _("source link")
        verbose_name_plural = _("source links")
        ordering = ["url"]

    def __str__(self):
        return self.url

    @property
    def is_failing(self) -> bool:
        return self.status in FAILING_STATUSES
