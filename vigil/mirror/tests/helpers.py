"""Checking an exported copy the way a reader's browser would follow it."""

import html
import re
from pathlib import Path
from urllib.parse import unquote, urlsplit

# The export's base URL, and a consenting signer and subscriber whose details must never
# reach a copy.
BASE_URL = "https://mirror.example.net/vigil"
CANARY_EMAIL = "mirror-canary-71c3@example.org"
CANARY_SURNAME = "Oxblossom"
CANARY_COMMENT = "mirror-canary-comment-2a9e"
_LINK = re.compile(r'\s(?:href|src|action)="([^"]*)"')


def broken_links(root: Path) -> list[tuple[str, str]]:
    """(file, link) for every relative link in the copy's HTML that names no file."""
    broken = []
    for page in root.rglob("*.html"):
        text = page.read_text(encoding="utf-8")
        for raw in _LINK.findall(text):
            link = html.unescape(raw)
            parts = urlsplit(link)
            if parts.scheme or link.startswith(("#", "//", "mailto:")) or not parts.path:
                continue
            target = (page.parent / unquote(parts.path)).resolve()
            if not target.is_file():
                broken.append((page.relative_to(root).as_posix(), link))
    return broken


def main_text(markup: str) -> str:
    """The words inside <main>, without tags and with spaces collapsed."""
    match = re.search(r"<main\b[^>]*>(.*)</main>", markup, re.S)
    body = match.group(1) if match else markup
    # Forms differ on purpose: a copy cannot take searches of the library or signatures.
    body = re.sub(r"<(script|style|form)\b.*?</\1>", " ", body, flags=re.S)
    # The main action's figure counts signatures: one may arrive between copy and look.
    body = re.sub(r'<span class="hero__figure">.*?</span>', " ", body, flags=re.S)
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", body))).strip()
