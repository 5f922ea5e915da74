"""Reads shared by every page of a batch render of the whole site (the mirror's export).

The export renders thousands of pages of one site at one moment. Much of what each page
reads is the same for all of them (the menu, the tags and years beside every listing,
the list of updates): inside `snapshot_reads()`, `snapshot_memo(key, compute)` computes
each key once and gives later pages the same value. Outside it, which is every request
of the live site, it computes every time, so editors' changes show at once.

A change published while an export runs may reach only some of its pages; the copy's
next export (at the latest, the daily full one) brings every page in line.
"""

from collections.abc import Callable, Hashable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import TypeVar

T = TypeVar("T")

# Per thread: `serve` exports in a thread of its own while other threads answer readers.
_memo: ContextVar[dict | None] = ContextVar("vigil_snapshot_memo", default=None)


@contextmanager
def snapshot_reads() -> Iterator[None]:
    """Memoise `snapshot_memo` reads in this thread until the block ends."""
    token = _memo.set({})
    try:
        yield
    finally:
        _memo.reset(token)


def snapshot_begin() -> None:
    """Memoise reads in this thread from now on (a worker process that renders only)."""
    _memo.set({})


def snapshot_active() -> bool:
    return _memo.get() is not None


def snapshot_memo(key: Hashable, compute: Callable[[], T]) -> T:
    """`compute()`, once per key while reads are memoised; every time otherwise."""
    memo = _memo.get()
    if memo is None:
        return compute()
    if key not in memo:
        memo[key] = compute()
    return memo[key]
