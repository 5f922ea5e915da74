"""Keep one node's page-cache folder in step with the others: `manage.py page_cache_follow`.

Each node (a machine running `manage.py serve`) keeps cached pages in its own folder,
and nginx there serves them without asking Python. The index of what each page shows
and the record of invalidations are shared, in the database: a change on any node or
worker deletes its own copies, records the stale keys in an Invalidation row, and
purges the CDN once. This follower, which `serve` starts beside the web server on
each node, reads the new rows every POLL_SECONDS and deletes its node's copies of
those keys (all of them for a clear), so a publish anywhere is visible on every node
within a second. It also deletes copies whose midnight has passed, which nginx would
otherwise go on serving.

A shared table, not PostgreSQL's LISTEN/NOTIFY: it works the same on SQLite, and a
follower that was down for a moment catches up from the rows instead of losing
notifications sent meanwhile.
"""

import datetime as dt
import logging
import time
from collections.abc import Callable
from pathlib import Path

from django.db import DatabaseError, close_old_connections
from django.utils import timezone

from . import store
from .models import CachedPage, Invalidation
from .services import page_cache_root

logger = logging.getLogger(__name__)

POLL_SECONDS = 0.25
# While the database is unavailable (a restart): one warning every so often, not four a second.
PAUSE_SECONDS = 5
EXPIRY_SWEEP_SECONDS = 30
# Rows are read again for this long: a transaction that committed late (its row has an
# older id than one already read) is still seen.
LOOK_BACK_SECONDS = 30


def invalidations_apply(*, root: Path, after: float, seen: set[int]) -> int:
    """Delete this node's copies named by invalidations recorded since `after` that are
    not in `seen` (their ids are added); returns how many rows were applied."""
    rows = Invalidation.objects.filter(at__gte=after).exclude(pk__in=seen).order_by("pk")
    applied = 0
    for pk, tags, keys in rows.values_list("pk", "tags", "keys"):
        if "*" in tags:
            store.entries_clear(root)
        for key in keys:
            store.entry_delete(root, key)
        seen.add(pk)
        applied += 1
    return applied


def expired_delete(*, root: Path) -> int:
    """Delete this node's copies of pages whose expiry (a midnight) has passed."""
    now = timezone.now()
    expired = CachedPage.objects.filter(
        expires_at__lte=now, expires_at__gt=now - dt.timedelta(days=2)
    ).values_list("key", flat=True)
    removed = 0
    for key in expired.iterator():
        if store.entry_path(root, key).exists():
            store.entry_delete(root, key)
            removed += 1
    return removed


def page_cache_follow(*, stop: Callable[[], bool]) -> None:
    """Follow invalidations until `stop()` says so (see the module's docstring)."""
    root = page_cache_root()
    if root is None:
        return
    started = time.time()
    seen: set[int] = set()
    last_sweep = 0.0
    while not stop():
        now = time.time()
        try:
            close_old_connections()
            invalidations_apply(root=root, after=max(started, now - LOOK_BACK_SECONDS), seen=seen)
            if now - last_sweep >= EXPIRY_SWEEP_SECONDS:
                last_sweep = now
                expired_delete(root=root)
        except DatabaseError:
            # The database is restarting or locked: the rows wait, and so does this.
            logger.warning("page cache follower: database unavailable", exc_info=True)
            time.sleep(PAUSE_SECONDS)
        if len(seen) > 10_000:
            seen = set(list(seen)[-1000:])
        time.sleep(POLL_SECONDS)
