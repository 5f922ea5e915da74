"""Cached pages as files: one file per address, readable by every server process.

A file holds the response's headers and its body three times (plain, gzip, brotli),
so a hit costs one read and no compression. Files are written to a temporary name and
renamed, so a reader never sees half a page.
"""

import gzip
import marshal
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

import brotli

FORMAT = 1


@dataclass(frozen=True)
class Entry:
    expires: float
    stored: float
    headers: list[tuple[str, str]]
    etag: str
    bodies: dict[str, bytes]


def entry_path(root: Path, key: str) -> Path:
    return root / key[:2] / key


def entry_read(root: Path, key: str, now: float) -> Entry | None:
    try:
        with open(entry_path(root, key), "rb") as file:
            raw = file.read()
    except OSError:
        return None
    try:
        version, expires, stored, headers, etag, bodies = marshal.loads(raw)
    except (EOFError, ValueError, TypeError):
        return None
    if version != FORMAT or expires <= now:
        return None
    return Entry(expires, stored, headers, etag, bodies)


def entry_write(root: Path, key: str, entry_headers, etag, body: bytes, stored, expires) -> None:
    bodies = {
        "identity": body,
        "gzip": gzip.compress(body, compresslevel=6, mtime=0),
        "br": brotli.compress(body, quality=6),
    }
    path = entry_path(root, key)
    path.parent.mkdir(parents=True, exist_ok=True)
    data = marshal.dumps((FORMAT, expires, stored, list(entry_headers), etag, bodies))
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
