"""Store, find and invalidate cached pages.

Every cached page is indexed by the tags of what it showed (collect.py). A change
invalidates its tags: the index names exactly the stale files, which are deleted, and
their addresses are purged from a CDN when one is configured. Nothing else is flushed.
"""

import datetime as dt
import hashlib
import logging
import time
import zoneinfo
from collections.abc import Iterable
from pathlib import Path

from django.conf import settings
from django.db import DatabaseError, transaction
from django.db import connection as default_connection
from django.utils import timezone
from django_tasks import task

from vigil.core.dependencies import MIDNIGHT_TAG

from . import store
from .front import front_file
from .models import CachedPage, CachedPageTag, Invalidation

logger = logging.getLogger(__name__)

INVALIDATIONS_KEPT_SECONDS = 600
_CHUNK = 500


def page_cache_root() -> Path | None:
    folder = getattr(settings, "PAGE_CACHE_DIR", "")
    return Path(folder) if folder else None


def page_cache_key(*, url: str) -> str:
    return hashlib.sha256(url.encode("utf-8", "surrogateescape")).hexdigest()


def page_cache_expiry(*, now: dt.datetime, time_zones: Iterable[str] = ()) -> dt.datetime:
    """The next midnight where the campaign is or in any time zone the page counts days
    in (core.dependencies.day_turns_in), whichever comes first: a day count turns at the midnight
    where the person is held (Asia/Almaty is 5 hours ahead of UTC)."""
    zones = [timezone.get_current_timezone()]
    for name in sorted(set(time_zones)):
        try:
            zones.append(zoneinfo.ZoneInfo(name))
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            logger.warning("page cache: unknown time zone %r", name)
    return min(_midnight_after(now, zone) for zone in zones)


def _midnight_after(now: dt.datetime, zone: dt.tzinfo) -> dt.datetime:
    day = now.astimezone(zone).date() + dt.timedelta(days=1)
    return dt.datetime.combine(day, dt.time(0), tzinfo=zone)


def page_cache_store(
    *,
    url: str,
    tags: Iterable[str],
    headers: list[tuple[str, str]],
    etag: str,
    body: bytes,
    render_started: float,
    parameters: Iterable[str] = (),
    bodies: dict[str, bytes] | None = None,
) -> float | None:
    """Keep a rendered page, unless what it read changed while it was rendering.

    The file is written first and indexed second, then recent invalidations are
    checked: an invalidation either sees the index rows (and deletes the file) or is
    seen here (and the page is dropped), so a stale page is never left behind.
    Returns when the stored page expires (Unix time), or None if it was not stored.
    `parameters`: the query parameters the page depends on (wsgi.py ignores others).
    `bodies`: `body` already encoded (store.bodies_encode).
    """
    root = page_cache_root()
    if root is None:
        return None
    key = page_cache_key(url=url)
    tags = sorted(set(tags))
    now = timezone.now()
    expires = page_cache_expiry(
        now=now,
        time_zones=[t.removeprefix(MIDNIGHT_TAG) for t in tags if t.startswith(MIDNIGHT_TAG)],
    )
    store.entry_write(
        root,
        key,
        headers,
        etag,
        body,
        now.timestamp(),
        expires.timestamp(),
        parameters,
        front=front_file(url=url, headers=headers),
        bodies=bodies,
    )
    with transaction.atomic():
        CachedPage.objects.update_or_create(
            key=key, defaults={"url": url, "stored_at": now, "expires_at": expires}
        )
        CachedPageTag.objects.filter(page_id=key).delete()
        CachedPageTag.objects.bulk_create([CachedPageTag(page_id=key, tag=t) for t in tags])
    # An invalidation is recorded after its change committed: one recorded since this
    # render began may have changed rows the render had already read.
    changed = Invalidation.objects.filter(at__gte=render_started)
    wanted = set(tags)
    if any(
        "*" in row or wanted.intersection(row) for row in changed.values_list("tags", flat=True)
    ):
        _entries_remove([key], root)
        return None
    return expires.timestamp()


def page_cache_invalidate(*, tags: Iterable[str]) -> list[str]:
    """Delete every cached page that showed any of these tags; return their addresses."""
    tags = sorted(set(tags))
    root = page_cache_root()
    if root is None or not tags:
        return []
    now = time.time()
    keys: set[str] = set()
    for start in range(0, len(tags), _CHUNK):
        keys.update(
            CachedPageTag.objects.filter(tag__in=tags[start : start + _CHUNK]).values_list(
                "page_id", flat=True
            )
        )
    # The other nodes delete their copies of `keys` from this row (follow.py).
    Invalidation.objects.create(tags=tags, keys=sorted(keys), at=now)
    Invalidation.objects.filter(at__lt=now - INVALIDATIONS_KEPT_SECONDS).delete()
    # The CDN is purged here, once, by the node or worker that made the change.
    urls = _entries_remove(sorted(keys), root)
    if urls:
        _frontend_purge(urls)
    return urls


class _InvalidateOnCommit:
    """One callback per transaction, gathering the tags of all its writes."""

    def __init__(self):
        self.tags: set[str] = set()
        self.done = False

    def __call__(self):
        self.done = True
        try:
            page_cache_invalidate(tags=self.tags)
        except DatabaseError:
            # Before the page cache's tables exist (a first migrate) nothing is cached.
            logger.debug("page cache: invalidation skipped", exc_info=True)


def page_cache_invalidate_after_statement(*, connection, tags: Iterable[str]) -> None:
    """For a write whose results are still being read (INSERT ... RETURNING outside a
    transaction): running queries on the connection now would break that statement, so
    the tags wait for page_cache_flush_deferred (after the save, or the request)."""
    if page_cache_root() is None:
        return
    deferred = getattr(connection, "_vigil_pagecache_deferred", None)
    if deferred is None:
        deferred = connection._vigil_pagecache_deferred = set()
    deferred.update(tags)


def page_cache_flush_deferred(*, connection=None) -> None:
    connection = connection or default_connection
    deferred = getattr(connection, "_vigil_pagecache_deferred", None)
    if deferred:
        connection._vigil_pagecache_deferred = set()
        page_cache_invalidate_later(connection=connection, tags=deferred)


def page_cache_invalidate_later(*, connection=None, tags: Iterable[str]) -> None:
    """Invalidate once the current transaction commits (at once outside one).

    Pages rendered before the commit read the old rows; invalidating earlier would let
    them be stored again. A rolled-back transaction's callback is dropped by Django
    with it, so nothing is invalidated for changes that never happened.
    """
    if page_cache_root() is None:
        return
    connection = connection or default_connection
    if not connection.in_atomic_block:
        callback = _InvalidateOnCommit()
        callback.tags.update(tags)
        callback()
        return
    pending = next(
        (
            func
            for _sids, func, _robust in reversed(connection.run_on_commit)
            if isinstance(func, _InvalidateOnCommit) and not func.done
        ),
        None,
    )
    if pending is None:
        pending = _InvalidateOnCommit()
        transaction.on_commit(pending, using=connection.alias)
    pending.tags.update(tags)


def page_cache_clear() -> int:
    """Forget every cached page (after a deploy: templates may have changed)."""
    root = page_cache_root()
    if root is None:
        return 0
    urls = list(CachedPage.objects.values_list("url", flat=True))
    CachedPage.objects.all().delete()
    Invalidation.objects.create(tags=["*"], at=time.time())
    removed = store.entries_clear(root)
    if urls:
        _frontend_purge(urls)
    return removed


def page_cache_prune(*, now: dt.datetime) -> int:
    """Drop index rows of pages expired longer ago than a CDN could still hold them, and
    than every node's follower needs to delete its expired copies (follow.py)."""
    cutoff = now - dt.timedelta(seconds=max(settings.PAGE_CACHE_SHARED_MAX_AGE, 3600))
    root = page_cache_root()
    keys = list(CachedPage.objects.filter(expires_at__lt=cutoff).values_list("key", flat=True))
    if root is not None:
        _entries_remove(keys, root)
    return len(keys)


@task()
def page_cache_prune_task() -> int:
    return page_cache_prune(now=timezone.now())


def _entries_remove(keys: list[str], root: Path) -> list[str]:
    urls = []
    for start in range(0, len(keys), _CHUNK):
        chunk = keys[start : start + _CHUNK]
        urls.extend(CachedPage.objects.filter(key__in=chunk).values_list("url", flat=True))
        CachedPage.objects.filter(key__in=chunk).delete()
        for key in chunk:
            store.entry_delete(root, key)
    return urls


def _frontend_purge(urls: list[str]) -> None:
    """Purge the CDN or protective proxy too, when one is configured."""
    if not getattr(settings, "WAGTAILFRONTENDCACHE", None):
        return
    from wagtail.contrib.frontend_cache.utils import purge_urls_from_cache

    try:
        purge_urls_from_cache(urls)
    except Exception:
        # A CDN outage must not fail an editor's publish; its own max-age still applies.
        logger.exception("page cache: CDN purge failed for %d addresses", len(urls))
