"""Official mirrors (shown to readers) and the record of each export (for incremental runs)."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel, MultiFieldPanel


class OfficialMirror(models.Model):
    """A copy of the site the campaign vouches for, listed on the public mirrors page."""

    name = models.CharField(
        _("name"),
        max_length=120,
        help_text=_("How readers will know this copy, e.g. “Onion service” or “Hosted by PEN”."),
    )
    url = models.CharField(
        _("address"),
        max_length=400,
        help_text=_(
            "Where the copy is read: a web address (https://…), an .onion address, or "
            "another way to reach it."
        ),
    )
    notes = models.CharField(
        _("notes"),
        max_length=300,
        blank=True,
        help_text=_("Optional: how often it is refreshed, who runs it, how to reach it."),
    )
    sort_order = models.PositiveSmallIntegerField(
        _("order"), default=0, help_text=_("Lower numbers are listed first.")
    )

    panels = [
        MultiFieldPanel([FieldPanel("name"), FieldPanel("url")], heading=_("The mirror")),
        MultiFieldPanel([FieldPanel("notes"), FieldPanel("sort_order")], heading=_("Details")),
    ]

    class Meta:
        ordering = ("sort_order", "name")
        verbose_name = _("official mirror")
        verbose_name_plural = _("official mirrors")

    def __str__(self):
        return self.name


class MirrorExport(models.Model):
    """The last export into one directory: what an incremental export starts from."""

    directory = models.CharField(
        _("directory"),
        max_length=500,
        unique=True,
        help_text=_("Absolute path of the exported copy."),
    )
    base_url = models.CharField(
        _("base URL"),
        max_length=400,
        blank=True,
        help_text=_("The address the copy is published at, if one was given."),
    )
    started_at = models.DateTimeField(
        _("started at"),
        help_text=_("When the export began: changes after this go into the next one."),
    )
    finished_at = models.DateTimeField(
        _("finished at"), null=True, blank=True, help_text=_("When the export ended.")
    )
    full_at = models.DateTimeField(
        _("last full export"),
        null=True,
        blank=True,
        help_text=_("When the last full (not incremental) export began."),
    )
    files = models.JSONField(
        _("files"),
        default=dict,
        help_text=_("Every exported file (path inside the copy) with its SHA-256."),
    )
    sources = models.JSONField(
        _("sources"),
        default=dict,
        help_text=_("For each exported file made from a URL of the site, that URL."),
    )
    pages = models.JSONField(
        _("pages"),
        default=dict,
        help_text=_(
            "For each exported page (by ID): the URL it was exported from, and for "
            "updates their date and tags."
        ),
    )

    class Meta:
        verbose_name = _("mirror export")
        verbose_name_plural = _("mirror exports")

    def __str__(self):
        return self.directory
