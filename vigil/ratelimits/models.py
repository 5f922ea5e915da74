"""Counters behind every rate limit: one row per key and time window, in the database."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class RateCounter(models.Model):
    """Hits counted for one key in one fixed window.

    The database, not the cache, holds the count: every server process shares it, and
    one upsert statement increments it atomically (see `ratelimit_hit`).
    """

    key = models.CharField(
        _("key"),
        max_length=100,
        help_text=_(
            "What is limited, then a keyed hash (HMAC under a daily key) of for whom: "
            "e.g. 'search:' and a digest of an IP."
        ),
    )
    window_start = models.BigIntegerField(
        _("window start"),
        help_text=_("Start of the counting window, in seconds since 1970 (UTC)."),
    )
    count = models.PositiveIntegerField(
        _("count"), default=0, help_text=_("Hits counted in this window so far.")
    )

    class Meta:
        verbose_name = _("rate counter")
        verbose_name_plural = _("rate counters")
        constraints = [
            models.UniqueConstraint(fields=["key", "window_start"], name="ratecounter_key_window")
        ]
        indexes = [models.Index(fields=["window_start"], name="ratecounter_window")]

    def __str__(self):
        return f"{self.key} @ {self.window_start}: {self.count}"
