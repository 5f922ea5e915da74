"""What the page being rendered depends on: recorded here, read by the page cache.

The page cache (vigil.pagecache) records automatically every page instance and table a
render reads (pagecache/collect.py); code that shows what those cannot see says so
here, in any layer: `depend("children:<path>")` for a list of a page's children,
`day_turns_in(zone)` for a day count, `query_parameters_use(name)` for a query parameter
read only sometimes. Outside a render being recorded each call does nothing.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

_tags: ContextVar[set[str] | None] = ContextVar("vigil_pagecache_tags", default=None)
_parameters: ContextVar[set[str] | None] = ContextVar("vigil_pagecache_parameters", default=None)
# Recorded when a page reads its whole query string (iterates it, copies it): no
# parameter may then be ignored.
EVERY_PARAMETER = "*"


@contextmanager
def collecting() -> Iterator[set[str]]:
    """Record the tags of everything read inside the block."""
    tags: set[str] = set()
    token = _tags.set(tags)
    try:
        yield tags
    finally:
        _tags.reset(token)


@contextmanager
def reads_untracked() -> Iterator[None]:
    """Read inside the block without the page depending on it: for a figure every page
    shows that changes all the time (how many have signed), which would otherwise make
    each new signature empty the whole page cache. The page shows it as of its render,
    until the page changes or its day turns."""
    token = _tags.set(None)
    try:
        yield
    finally:
        _tags.reset(token)


@contextmanager
def parameters_collecting() -> Iterator[set[str]]:
    """Record the query parameters the page reads inside the block (middleware.py)."""
    names: set[str] = set()
    token = _parameters.set(names)
    try:
        yield names
    finally:
        _parameters.reset(token)


def query_parameters_use(*names: str) -> None:
    """The page being rendered depends on these query parameters, whether it read them
    this time or not (a parameter read only when another one is set)."""
    collected = _parameters.get()
    if collected is not None:
        collected.update(names)


def depend(*tags: str) -> None:
    """Add tags that automatic recording cannot see (e.g. a list of a page's children)."""
    collected = _tags.get()
    if collected is not None:
        collected.update(tags)


# A page showing something that changes at midnight in a time zone (a day count, a
# deadline's countdown) carries this tag with the zone's name: it expires then.
MIDNIGHT_TAG = "midnight:"


def day_turns_in(time_zone: str) -> None:
    """The page being rendered changes when the day turns in `time_zone`."""
    depend(MIDNIGHT_TAG + time_zone)


def tags_collected() -> set[str] | None:
    """The tags of the render being recorded, or None outside one (pagecache/collect.py)."""
    return _tags.get()
