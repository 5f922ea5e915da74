"""Rate limits that hold across server processes: an atomic counter in the database.

A cache-based counter (add, then incr) is not atomic across processes on the file
cache: a probe let 46 of 600 requests through a limit of 30. Here one
`INSERT … ON CONFLICT DO UPDATE … RETURNING` statement counts the hit and reads the
new count, so concurrent requests can never both see the same count. SQLite (3.35+)
and PostgreSQL both run it as written.

Sliding windows (issue 18, item 7): a fixed window lets 2x the limit through around
its edge (a full window's worth at its end, another at the next one's start). The
count checked is the sliding-window estimate: this window's count plus the previous
window's, weighted by how much of it still lies within the last `window_seconds`. The
previous window is closed, so reading it (in a subquery of the same upsert statement)
keeps the check exact across processes.

Keys (issue 18, item 12): what is stored is an HMAC of the caller's key, never a plain
hash (an unsalted SHA-256 of an IPv4 address is reversed by trying all 2^32). Its key
changes every day: HMAC(SECRET_KEY, "vigil.ratelimits" + the UTC day of the window).
A copy of the database without SECRET_KEY tells nothing; even with it, each counter
has to be attacked day by day, and counters are deleted after two days. A window
belongs to one day, so a limit never restarts at midnight.
"""

import hashlib
import hmac
import time

from django.conf import settings
from django.db import connection
from django_tasks import task

from .models import RateCounter

# Windows older than this are purged; no limit in Vigil spans more than a day.
PURGE_AFTER_SECONDS = 2 * 24 * 3600
KEY_PERIOD_SECONDS = 24 * 3600
_MAX_KEY = 100


def ratelimit_key(*, scope: str, value: str) -> str:
    """A counter key for `value` (an IP address, an email); the value is never stored:
    `ratelimit_hit` stores only a keyed hash of this key."""
    digest = hashlib.sha256(f"{scope}\x00{value}".encode()).hexdigest()[:32]
    return f"{scope[:60]}:{digest}"


def _period_secret(period: int) -> bytes:
    return hmac.new(
        settings.SECRET_KEY.encode(), f"vigil.ratelimits\x00{period}".encode(), hashlib.sha256
    ).digest()


def ratelimit_stored_key(*, key: str, window_start: int) -> str:
    """What the counter row holds for `key` in the window starting at `window_start`:
    the scope (before the first colon, for operators) and a keyed hash of the whole key
    under that day's secret."""
    period = window_start // KEY_PERIOD_SECONDS
    digest = hmac.new(_period_secret(period), key.encode(), hashlib.sha256).hexdigest()[:40]
    return f"{key.split(':', 1)[0][:50]}:{digest}"


def _counts(*, stored_key: str, window_start: int, previous_key: str, previous_start: int):
    """Count the hit; (this window's count, the previous window's or None), one statement
    (the previous window is read in a subquery: no extra query per hit)."""
    q = connection.ops.quote_name
    table, k, w, c = q(RateCounter._meta.db_table), q("key"), q("window_start"), q("count")
    p = q("previous")
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} ({k}, {w}, {c}) VALUES (%s, %s, 1) "
            f"ON CONFLICT ({k}, {w}) DO UPDATE SET {c} = {table}.{c} + 1 "
            f"RETURNING {c}, (SELECT {p}.{c} FROM {table} AS {p} "
            f"WHERE {p}.{k} = %s AND {p}.{w} = %s)",
            [stored_key, window_start, previous_key, previous_start],
        )
        count, previous = cursor.fetchone()
    return count, previous


def ratelimit_hit(*, key: str, limit: int, window_seconds: int, now: float | None = None) -> bool:
    """Count one hit for `key`; True while the sliding-window count is within `limit`.

    Every hit is counted, refused ones too (a client that keeps trying stays refused).
    """
    if window_seconds < 1:
        raise ValueError("window_seconds must be at least 1")
    if len(key) > _MAX_KEY:
        raise ValueError("key is too long; make it with ratelimit_key()")
    moment = time.time() if now is None else now
    window_start = int(moment) // window_seconds * window_seconds
    previous_start = window_start - window_seconds
    count, previous = _counts(
        stored_key=ratelimit_stored_key(key=key, window_start=window_start),
        window_start=window_start,
        previous_key=ratelimit_stored_key(key=key, window_start=previous_start),
        previous_start=previous_start,
    )
    weight = 1 - (moment - window_start) / window_seconds
    return count + (previous or 0) * weight <= limit


@task()
def ratelimit_purge_task() -> int:
    return ratelimit_purge()


def ratelimit_purge(*, older_than_seconds: int = PURGE_AFTER_SECONDS) -> int:
    """Delete counters whose window started long ago; returns how many were deleted."""
    cutoff = int(time.time()) - older_than_seconds
    deleted, _per_model = RateCounter.objects.filter(window_start__lt=cutoff).delete()
    return deleted
