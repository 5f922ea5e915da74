"""Where each URL of the site lives inside the copy, and links between copies' files.

A copy must work at any path prefix and straight from disk (file://), where no
server turns `updates/` into `updates/index.html`: every internal link becomes a
relative link to a file.
"""

import posixpath
import re
from urllib.parse import quote, unquote, urlsplit

# Feeds are XML under a directory-style URL: they get an index.xml, which the
# nginx example serves as the directory index after index.html.
_FEED_PATH = re.compile(r"/feed/(?:rss|atom)/$")
_UNSAFE_QUERY = re.compile(r"[^A-Za-z0-9_.-]+")

MANIFEST_NAME = "MANIFEST.sha256"
SIGNATURE_NAME = "MANIFEST.sha256.sig"
NOT_IN_MANIFEST = frozenset({MANIFEST_NAME, SIGNATURE_NAME})


def url_file(url: str) -> str:
    """The file (relative to the copy's root, no leading slash) that holds `url`.

    `url` is a root-relative path, optionally with a query string; queries become
    part of the file name so that filtered views have files of their own.
    """
    parts = urlsplit(url)
    path = unquote(parts.path) or "/"
    if path.endswith("/"):
        name = "index.xml" if _FEED_PATH.search(path) else "index.html"
        if parts.query:
            name = "index-" + _UNSAFE_QUERY.sub("_", unquote(parts.query)).strip("_") + ".html"
        path += name
    elif "." not in posixpath.basename(path):
        path += "/index.html"
    return path.lstrip("/")


def relative_link(*, from_file: str, to_file: str) -> str:
    """A URL-quoted relative link from one file of the copy to another.

    Both are normalised paths from the copy's root (as `url_file` makes them): this is
    `posixpath.relpath` without its work on absolute paths, which a page's forty
    links made a noticeable part of an export.
    """
    start = posixpath.dirname(from_file)
    from_parts = start.split("/") if start else []
    to_parts = to_file.split("/")
    common = 0
    for here, there in zip(from_parts, to_parts, strict=False):
        if here != there:
            break
        common += 1
    link = "/".join([".."] * (len(from_parts) - common) + to_parts[common:]) or "."
    return quote(link, safe="/._-~")
