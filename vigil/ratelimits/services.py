"""Rate limits that hold across server processes: an atomic counter in the database.

A cache-based counter (add, then incr) is not atomic across processes on the file
cache: a probe let 46 of 600 requests through a limit of 30. Here one
`INSERT … ON CONFLICT DO UPDATE … RETURNING` statement counts the hit and reads the
new count, so concurrent requests can never both see the same count. SQLite (3.35+)
and PostgreSQL both run it as written.
"""

import hashlib
import time

from django.db import connection

from .models import RateCounter

# Windows older than this are purged; no limit in Vigil spans more than a day.
PURGE_AFTER_SECONDS = 2 * 24 * 3600


def ratelimit_key(*, scope: str, value: str) -> str:
    """A counter key for `value` (an IP address, an email) that does not store it."""
    digest = hashlib.sha256(f"{scope}\x00{value}".encode()).hexdigest()[:32]
    return f"{scope[:60]}:{digest}"


def ratelimit_hit(*, key: str, limit: int, window_seconds: int, now: float | None = None) -> bool:
    """Count one hit for `key` in the current window; True while within `limit`.

    The (limit + 1)-th hit in a window and every one after it return False.
    """
    if window_seconds < 1:
        raise ValueError("window_seconds must be at least 1")
    if len(key) > RateCounter._meta.get_field("key").max_length:
        raise ValueError("key is too long; make it with ratelimit_key()")
    moment = time.time() if now is None else now
    window_start = int(moment) // window_seconds * window_seconds
    q = connection.ops.quote_name
    table, k, w, c = q(RateCounter._meta.db_table), q("key"), q("window_start"), q("count")
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} ({k}, {w}, {c}) VALUES (%s, %s, 1) "
            f"ON CONFLICT ({k}, {w}) DO UPDATE SET {c} = {table}.{c} + 1 RETURNING {c}",
            [key, window_start],
        )
        (count,) = cursor.fetchone()
    return count <= limit


def ratelimit_purge(*, older_than_seconds: int = PURGE_AFTER_SECONDS) -> int:
    """Delete counters whose window started long ago; returns how many were deleted."""
    cutoff = int(time.time()) - older_than_seconds
    deleted, _per_model = RateCounter.objects.filter(window_start__lt=cutoff).delete()
    return deleted
