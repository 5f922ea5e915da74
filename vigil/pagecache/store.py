"""Cached pages as files: one file per address, readable by every server process.

A file holds the response's headers and its body three times (plain, gzip, brotli),
so a hit costs one read and no compression. Files are written to a temporary name and
renamed, so a reader never sees half a page.
"""

import gzip
import marshal
import os
import tempfile
import threading
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path

import brotli

FORMAT = 2


@dataclass(frozen=True)
class Entry:
    expires: float
    stored: float
    headers: list[tuple[str, str]]
    etag: str
    bodies: dict[str, bytes]
    # The query parameters the page depends on: any other is ignored (wsgi.py).
    parameters: tuple[str, ...] = ()


def entry_path(root: Path, key: str) -> Path:
    return root / key[:2] / key


# Entries this process read lately, by file identity: a hit then costs one stat() and
# no read or unpacking (a flood of hits is served by the server's event loop). A file
# changed or deleted by any process has a new identity or none, so nothing stale is
# served.
_RECENT_MAX = 128
_recent: OrderedDict[str, tuple[tuple[int, int, int], Entry]] = OrderedDict()
_recent_lock = threading.Lock()


def entry_read(root: Path, key: str, now: float) -> Entry | None:
    path = entry_path(root, key)
    try:
        status = os.stat(path)
    except OSError:
        return None
    identity = (status.st_ino, status.st_mtime_ns, status.st_size)
    with _recent_lock:
        known = _recent.get(str(path))
        if known is not None and known[0] == identity:
            _recent.move_to_end(str(path))
            entry = known[1]
            return entry if entry.expires > now else None
    entry = _entry_load(path)
    if entry is None:
        return None
    with _recent_lock:
        _recent[str(path)] = (identity, entry)
        while len(_recent) > _RECENT_MAX:
            _recent.popitem(last=False)
    return entry if entry.expires > now else None


def _entry_load(path: Path) -> Entry | None:
    try:
        with open(path, "rb") as file:
            raw = file.read()
    except OSError:
        return None
    try:
        version, expires, stored, headers, etag, bodies, parameters = marshal.loads(raw)
    except (EOFError, ValueError, TypeError):
        return None
    if version != FORMAT:
        return None
    return Entry(expires, stored, headers, etag, bodies, tuple(parameters))


def entry_write(
    root: Path, key: str, entry_headers, etag, body: bytes, stored, expires, parameters=()
) -> None:
    bodies = {
        "identity": body,
        "gzip": gzip.compress(body, compresslevel=6, mtime=0),
        "br": brotli.compress(body, quality=6),
    }
    path = entry_path(root, key)
    path.parent.mkdir(parents=True, exist_ok=True)
    data = marshal.dumps(
        (FORMAT, expires, stored, list(entry_headers), etag, bodies, sorted(parameters))
    )
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
    try:
        with os.fdopen(handle, "wb") as file:
            file.write(data)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def entry_delete(root: Path, key: str) -> None:
    entry_path(root, key).unlink(missing_ok=True)


def entries_clear(root: Path) -> int:
    removed = 0
    if not root.is_dir():
        return 0
    for folder in root.iterdir():
        if folder.is_dir():
            for file in folder.iterdir():
                file.unlink(missing_ok=True)
                removed += 1
    return removed
