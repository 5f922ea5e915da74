"""Where each URL of the site lives inside the copy, and links between copies' files.

A copy must work at any path prefix and straight from disk (file://), where no
server turns `updates/` into `updates/index.html`: every internal link becomes a
relative link to a file.
"""

import functools
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


@functools.lru_cache(maxsize=1 << 16)
def _quoted_parts(file: str) -> tuple[str, ...]:
    """The file's path segments, each URL-quoted: a site links to the same few thousand
    files from every page, so each is split and quoted once."""
    return tuple(quote(part, safe="._-~") for part in file.split("/"))


def relative_link(*, from_file: str, to_file: str) -> str:
    """A URL-quoted relative link from one file of the copy to another.

    Both are normalised paths from the copy's root (as `url_file` makes them): this is
    `posixpath.relpath` without its work on absolute paths, which a page's forty
    links made a noticeable part of an export. Quoting each segment on its own gives
    what quoting the whole link would, since "/" is left as it is.
    """
    from_parts = _quoted_parts(from_file)[:-1]
    to_parts = _quoted_parts(to_file)
    common = 0
    for here, there in zip(from_parts, to_parts, strict=False):
        if here != there:
            break
        common += 1
    return "/".join((("..",) * (len(from_parts) - common)) + to_parts[common:]) or "."
