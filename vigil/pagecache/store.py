"""Cached pages as files: one file per address, readable by every server process.

A file holds the response's headers and its body three times (plain, gzip, brotli),
so a hit costs one read and no compression. Files are written to a temporary name and
renamed, so a reader never sees half a page.

A page nginx may serve by itself (front.py decides which) is also written under
FRONT_FOLDER as plain files named after its address, `<scheme>/<host><path>@.<ext>`
with `.gz` and `.br` beside it (the same bytes as the entry's bodies), for nginx's
try_files, gzip_static and brotli_static (`manage.py nginx_conf`). Deleting an entry
deletes those files too, so an invalidation reaches nginx at once.
"""

import email.utils
import gzip
import marshal
import os
import shutil
import tempfile
import threading
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path

import brotli

FORMAT = 3
# The folder (under the cache's root) nginx serves pages from.
FRONT_FOLDER = "nginx"
# Every extension a front file may have (front.py FRONT_TYPES): deleting an address's
# files removes all of them, whatever type the page had.
FRONT_EXTENSIONS = ("html", "rss", "atom", "xml", "json", "svg", "ics", "csv", "txt")
_FRONT_CODINGS = {"br": ".br", "gzip": ".gz"}
# Headers of a response that a stored entry does not keep: the server's own, and those
# a hit makes afresh (wsgi.py).
DROPPED_HEADERS = {"date", "server", "content-length", "vary", "cache-control", "etag"}


@dataclass(frozen=True)
class Entry:
    expires: float
    stored: float
    headers: list[tuple[str, str]]
    etag: str
    bodies: dict[str, bytes]
    # The query parameters the page depends on: any other is ignored (wsgi.py).
    parameters: tuple[str, ...] = ()
    # Its files for nginx, relative to FRONT_FOLDER, without the extension ("" if none).
    front: str = ""


def entry_path(root: Path, key: str) -> Path:
    return root / key[:2] / key


def _is_key_folder(folder: Path) -> bool:
    return len(folder.name) == 2 and folder.is_dir()


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
        version, *fields = marshal.loads(raw)
    except (EOFError, ValueError, TypeError):
        return None
    if version != FORMAT:
        return None
    expires, stored, headers, etag, bodies, parameters, front = fields
    return Entry(expires, stored, headers, etag, bodies, tuple(parameters), front)


def bodies_encode(body: bytes) -> dict[str, bytes]:
    """A page's body as it is stored and answered: plain, gzip and brotli."""
    return {
        "identity": body,
        "gzip": gzip.compress(body, compresslevel=6, mtime=0),
        "br": brotli.compress(body, quality=6),
    }


def entry_write(
    root: Path,
    key: str,
    entry_headers,
    etag,
    body: bytes,
    stored,
    expires,
    parameters=(),
    front: tuple[str, str] | None = None,
    bodies: dict[str, bytes] | None = None,
) -> None:
    """Write the entry, and its files for nginx when `front` is (path, extension).
    `bodies`: `body` already encoded (bodies_encode), as the page's first reader got it.

    On any failure nothing of the entry is left: a file the index never learns of could
    not be invalidated.
    """
    bodies = bodies or bodies_encode(body)
    front_path = front[0] if front else ""
    data = marshal.dumps(
        (
            FORMAT,
            expires,
            stored,
            list(entry_headers),
            etag,
            bodies,
            sorted(parameters),
            front_path,
        )
    )
    path = entry_path(root, key)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        # The entry first: whoever deletes it (an invalidation) finds the front files
        # through it, so none outlive it.
        _file_replace(path, data)
        if front:
            modified = _last_modified(entry_headers) or stored
            _front_write(root, front_path, front[1], bodies, modified)
    except BaseException:
        entry_delete(root, key, front=front_path)
        raise


def _file_replace(path: Path, data: bytes, *, mode: int | None = None) -> None:
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
    try:
        with os.fdopen(handle, "wb") as file:
            file.write(data)
        if mode is not None:
            os.chmod(temporary, mode)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def _last_modified(headers) -> float | None:
    value = next((v for k, v in headers if k.lower() == "last-modified"), None)
    try:
        return email.utils.parsedate_to_datetime(value).timestamp() if value else None
    except (TypeError, ValueError):
        return None


def _folders_make(base: Path, relative: Path) -> None:
    """Make the folders of `relative` under `base`, each readable by nginx's user: the
    pages are public, and the server may run under umask 077 (make run does)."""
    current = base
    for part in relative.parts:
        current = current / part
        if not current.is_dir():
            current.mkdir(exist_ok=True)
            os.chmod(current, 0o755)


def _front_write(root: Path, front: str, extension: str, bodies: dict, modified: float) -> None:
    """The page's files for nginx: compressed copies first and the plain file last, as
    try_files looks for the plain one. Their time is the page's Last-Modified, which
    nginx then sends (its own ETag is made from it and the size)."""
    base = _front_base(root, front)
    _folders_make(root, Path(f"{base}@").parent.relative_to(root))
    # A page that changed type (rare) must not leave its old file to be found first.
    for other in FRONT_EXTENSIONS:
        if other != extension:
            _front_unlink(base, other)
    for coding, suffix in (*_FRONT_CODINGS.items(), ("identity", "")):
        target = Path(f"{base}@.{extension}{suffix}")
        _file_replace(target, bodies[coding], mode=0o644)
        os.utime(target, (modified, modified))


def _front_base(root: Path, front: str) -> str:
    # A string, not a Path: "about/" must keep its slash ("about/@.html", not "about@.html").
    return f"{root}/{FRONT_FOLDER}/{front}"


def _front_unlink(base: str, extension: str) -> None:
    # The plain file first: try_files stops finding the page before its copies go.
    for suffix in ("", *_FRONT_CODINGS.values()):
        Path(f"{base}@.{extension}{suffix}").unlink(missing_ok=True)


def entry_delete(root: Path, key: str, *, front: str | None = None) -> None:
    """Delete an entry and its files for nginx (found in the entry unless given)."""
    path = entry_path(root, key)
    if front is None:
        entry = _entry_load(path)
        front = entry.front if entry is not None else ""
    if front:
        for extension in FRONT_EXTENSIONS:
            _front_unlink(_front_base(root, front), extension)
    path.unlink(missing_ok=True)


def entry_keys(root: Path) -> list[str]:
    """The keys of every entry on disk (e.g. to delete the expired ones)."""
    if not root.is_dir():
        return []
    return [
        file.name
        for folder in root.iterdir()
        if _is_key_folder(folder)
        for file in folder.iterdir()
        if not file.name.startswith(".")
    ]


def entries_delete(root: Path, keys, *, expired_before: float | None = None) -> list[str]:
    """Delete these entries with all their files; only those expired before
    `expired_before` (Unix time) when it is given. Returns the keys deleted."""
    deleted = []
    for key in keys:
        if expired_before is not None:
            entry = _entry_load(entry_path(root, key))
            if entry is not None and entry.expires >= expired_before:
                continue
        entry_delete(root, key)
        deleted.append(key)
    return deleted


def entries_clear(root: Path) -> int:
    removed = 0
    if not root.is_dir():
        return 0
    # nginx's files go first and at once: the folder is renamed away, then removed.
    front = root / FRONT_FOLDER
    if front.is_dir():
        gone = Path(tempfile.mkdtemp(dir=root, prefix=".front-gone-"))
        front.rename(gone / FRONT_FOLDER)
        shutil.rmtree(gone, ignore_errors=True)
    for folder in root.iterdir():
        if _is_key_folder(folder):
            for file in folder.iterdir():
                file.unlink(missing_ok=True)
                removed += 1
    return removed
