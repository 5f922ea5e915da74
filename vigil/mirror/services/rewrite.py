"""Rewriting what the site renders so that it works as files in any folder."""

import html
import re
from urllib.parse import urlsplit

from .paths import relative_link, url_file

# Templates write attributes with double quotes; only root-relative URLs are the
# site's own (absolute ones, such as canonical links, keep pointing at the main site).
_URL_ATTRIBUTE = re.compile(r'(\s(?:href|src|action|poster)=")(/(?!/)[^"]*)(")')
_SRCSET_ATTRIBUTE = re.compile(r'(\ssrcset=")([^"]*)(")')


def internal_url(raw: str) -> str:
    """The path and query of a root-relative link, without its fragment."""
    parts = urlsplit(raw)
    return parts.path + ("?" + parts.query if parts.query else "")


# What each raw attribute value links to: (internal URL, its file, "#fragment" or "").
# The same menu, footer and asset links are on every page; bounded for `serve`'s
# long-lived process.
_TARGETS: dict[str, tuple[str, str, str]] = {}
_TARGETS_MAX = 50_000


def _link_target(raw: str) -> tuple[str, str, str]:
    known = _TARGETS.get(raw)
    if known is None:
        url = html.unescape(raw)
        fragment = urlsplit(url).fragment
        target = internal_url(url)
        # Filtered views (a query string) have files of their own: see url_file.
        known = (target, url_file(target), "#" + fragment if fragment else "")
        if len(_TARGETS) < _TARGETS_MAX:
            _TARGETS[raw] = known
    return known


def html_links_rewrite(text: str, *, file_path: str) -> tuple[str, set[str]]:
    """`text` with every root-relative link made relative to `file_path`, and those links.

    Returns the rewritten HTML and the set of internal URLs (path and query) it links to.
    """
    found: set[str] = set()

    def rewrite_url(raw: str) -> str:
        target, to_file, fragment = _link_target(raw)
        found.add(target)
        link = relative_link(from_file=file_path, to_file=to_file) + fragment
        return html.escape(link, quote=True)

    def one(match: re.Match) -> str:
        return match.group(1) + rewrite_url(match.group(2)) + match.group(3)

    def srcset(match: re.Match) -> str:
        candidates = []
        for candidate in match.group(2).split(","):
            bits = candidate.strip().split(None, 1)
            if bits and bits[0].startswith("/") and not bits[0].startswith("//"):
                bits[0] = rewrite_url(bits[0])
            candidates.append(" ".join(bits))
        return match.group(1) + ", ".join(candidates) + match.group(3)

    text = _URL_ATTRIBUTE.sub(one, text)
    text = _SRCSET_ATTRIBUTE.sub(srcset, text)
    return text, found


def origin_replace(text: str, *, main_url: str, base_url: str) -> str:
    """Absolute links to the main site pointed at the copy's own address instead."""
    if not base_url or base_url == main_url:
        return text
    return text.replace(main_url.rstrip("/") + "/", base_url.rstrip("/") + "/")
