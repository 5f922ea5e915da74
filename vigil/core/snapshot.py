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
_whole_site: ContextVar[bool] = ContextVar("vigil_snapshot_whole_site", default=False)


@contextmanager
def snapshot_reads(*, whole_site: bool = True) -> Iterator[None]:
    """Memoise `snapshot_memo` reads in this thread until the block ends.

    `whole_site`: most pages of the site will be rendered, so what every page needs of a
    kind (every update's tags, every page's language versions) is worth loading at once.
    Without it, only what one page reads is memoised for the next.
    """
    memo_token = _memo.set({})
    site_token = _whole_site.set(whole_site)
    try:
        yield
    finally:
        _whole_site.reset(site_token)
        _memo.reset(memo_token)


def snapshot_begin(*, whole_site: bool = True) -> None:
    """Memoise reads in this thread from now on (a worker process that renders only);
    `whole_site` as for snapshot_reads."""
    _memo.set({})
    _whole_site.set(whole_site)


def snapshot_active() -> bool:
    return _memo.get() is not None


def snapshot_whole_site() -> bool:
    """Whether to load what every page needs of a kind at once (see snapshot_reads)."""
    return _memo.get() is not None and _whole_site.get()


def snapshot_memo(key: Hashable, compute: Callable[[], T]) -> T:
    """`compute()`, once per key while reads are memoised; every time otherwise."""
    memo = _memo.get()
    if memo is None:
        return compute()
    if key not in memo:
        memo[key] = compute()
    return memo[key]
