"""One worker at a time for a kind of work, held in the database, not in a file.

`lease_hold(name=...)` yields True to the one holder and False to anyone else, on
every node that shares the database:
- PostgreSQL: a session advisory lock (`pg_try_advisory_lock`). The server frees it
  when the holder's connection ends, so a worker killed with kill -9 blocks nobody.
- SQLite: a Lease row claimed by a conditional UPDATE. A SQLite file is only ever
  shared by processes of one machine, so a lease whose holder process no longer
  exists is free: the kill -9 case again, without waiting for a timeout.
"""

import contextlib
import hashlib
import os
import socket
import uuid
from collections.abc import Iterator

from django.db import IntegrityError, connection, transaction
from django.db.models import Q
from django.utils import timezone

from .models import Lease

_HOST = socket.gethostname()
# Leases this process holds: a second ask from the same process (another thread, or a
# nested call) is refused too, which PostgreSQL's re-entrant advisory locks would not do.
_held_here: set[str] = set()


@contextlib.contextmanager
def lease_hold(*, name: str) -> Iterator[bool]:
    if name in _held_here:
        yield False
        return
    hold = _advisory_lock if connection.vendor == "postgresql" else _lease_row
    with hold(name) as held:
        if not held:
            yield False
            return
        _held_here.add(name)
        try:
            yield True
        finally:
            _held_here.discard(name)


def _advisory_key(name: str) -> int:
    """A stable signed 64-bit key for `name` (PostgreSQL's advisory lock space)."""
    return int.from_bytes(hashlib.sha256(name.encode()).digest()[:8], "big", signed=True)


@contextlib.contextmanager
def _advisory_lock(name: str) -> Iterator[bool]:
    key = _advisory_key(name)
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s)", [key])
        held = cursor.fetchone()[0]
    try:
        yield held
    finally:
        if held:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_unlock(%s)", [key])


def _holder_alive(holder: str) -> bool:
    host, _colon, rest = holder.partition(":")
    pid = rest.partition(":")[0]
    if host != _HOST or not pid.isdigit():
        return True  # not ours to judge: only its own machine can tell
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


@contextlib.contextmanager
def _lease_row(name: str) -> Iterator[bool]:
    me = f"{_HOST}:{os.getpid()}:{uuid.uuid4().hex}"
    held = _lease_take(name, me)
    try:
        yield held
    finally:
        if held:
            Lease.objects.filter(name=name, holder=me).update(holder="", taken_at=None)


def _lease_take(name: str, me: str) -> bool:
    with contextlib.suppress(IntegrityError), transaction.atomic():
        Lease.objects.get_or_create(name=name)
    current = Lease.objects.filter(name=name).values_list("holder", flat=True).first()
    free = Q(holder="")
    if current and not _holder_alive(current):
        free |= Q(holder=current)  # its process died holding it
    taken = Lease.objects.filter(free, name=name).update(holder=me, taken_at=timezone.now())
    return taken == 1
