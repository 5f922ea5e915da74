"""The index of cached pages: which tags each one depends on, and recent invalidations.

The pages themselves are files (see store.py); these tables let any process find and
delete exactly the files a change makes stale.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class CachedPage(models.Model):
    key = models.CharField(
        _("key"), max_length=64, primary_key=True, help_text=_("Hash of the page's address.")
    )
    url = models.TextField(_("address"), help_text=_("The address the page was cached for."))
    stored_at = models.DateTimeField(_("stored at"), help_text=_("When it was rendered."))
    expires_at = models.DateTimeField(
        _("expires at"), help_text=_("When it must be rendered again, changed or not.")
    )

    class Meta:
        verbose_name = _("cached page")
        verbose_name_plural = _("cached pages")

    def __str__(self):
        return self.url


class CachedPageTag(models.Model):
    page = models.ForeignKey(
        CachedPage,
        on_delete=models.CASCADE,
        related_name="tags",
        help_text=_("The cached page."),
    )
    tag = models.CharField(
        _("tag"),
        max_length=200,
        db_index=True,
        help_text=_("Something the page shows, such as page:12 or table:support_statement."),
    )

    class Meta:
        verbose_name = _("cached page tag")
        verbose_name_plural = _("cached page tags")
        constraints = [models.UniqueConstraint(fields=["page", "tag"], name="pagecache_tag_unique")]

    def __str__(self):
        return self.tag


class Invalidation(models.Model):
    """A recent invalidation: a page rendered while it happened must not be stored."""

    tags = models.JSONField(_("tags"), help_text=_("The tags invalidated."))
    keys = models.JSONField(
        _("keys"),
        default=list,
        blank=True,
        help_text=_("The cached pages it made stale: every node deletes its own copies."),
    )
    at = models.FloatField(_("at"), db_index=True, help_text=_("Unix time of the change."))

    class Meta:
        verbose_name = _("invalidation")
        verbose_name_plural = _("invalidations")

    def __str__(self):
        return ", ".join(self.tags[:5])
