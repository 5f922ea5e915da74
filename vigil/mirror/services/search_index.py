"""A search index per language that the copy searches offline (static/js/mirror-search.js).

It is a script assigning one global, not JSON fetched at run time: browsers refuse
fetch() from file://, but load scripts from there.
"""

import html
import json
import re
from pathlib import Path

from .paths import relative_link, url_file

INDEX_NAME = "search-index.js"
_PREFIX = "window.VIGIL_SEARCH_INDEX = "
_TAG = re.compile(r"<[^>]+>")
_SPACE = re.compile(r"\s+")
TEXT_LIMIT = 1500  # characters of body text per page: enough to find it, small to load


def search_page_url(*, prefix: str) -> str:
    return f"{prefix}/search/"


def search_index_file(*, prefix: str) -> str:
    search_file = url_file(search_page_url(prefix=prefix))
    return search_file.rsplit("/", 1)[0] + "/" + INDEX_NAME


def _stream_text(value, out: list[str]) -> None:
    if isinstance(value, str):
        out.append(value)
    elif isinstance(value, dict):
        for key, item in value.items():
            if key not in ("type", "id", "image", "document", "page", "style"):
                _stream_text(item, out)
    elif isinstance(value, list | tuple):
        for item in value:
            _stream_text(item, out)


def page_text(page) -> str:
    """Plain text of a page's body (StreamField raw data or rich text), tags removed."""
    parts: list[str] = []
    body = getattr(page, "body", None)
    if body is not None:
        raw = getattr(body, "raw_data", body)
        _stream_text(list(raw) if not isinstance(raw, str) else raw, parts)
    text = html.unescape(_TAG.sub(" ", " ".join(p for p in parts if isinstance(p, str))))
    return _SPACE.sub(" ", text).strip()[:TEXT_LIMIT]


def search_fields(*, page) -> dict:
    """What the index holds of a page but its link: the page's id, title, summary, date
    and text. Export workers take it from the pages they render."""
    date = getattr(page, "date", None)
    # preview_text: an update's teaser, else a page type's summary or introduction.
    summary = getattr(page, "preview_text", "") or page.search_description
    return {
        "i": page.pk,
        "t": page.title,
        "s": summary or "",
        "d": date.date().isoformat()
        if hasattr(date, "date")
        else (date.isoformat() if date else ""),
        "x": page_text(page),
    }


def search_entry(*, fields: dict, url: str, search_file: str) -> dict:
    """A page's entry: its `search_fields` and its link from the search page."""
    return {
        "i": fields["i"],
        "u": relative_link(from_file=search_file, to_file=url_file(url)),
        "t": fields["t"],
        "s": fields["s"],
        "d": fields["d"],
        "x": fields["x"],
    }


def search_index_write(*, entries: list[dict]) -> bytes:
    entries = sorted(entries, key=lambda entry: (entry["d"], entry["i"]), reverse=True)
    body = json.dumps(entries, ensure_ascii=False, separators=(",", ":"))
    # "</" cannot end a script here, but escaping it costs nothing and keeps the file inert.
    return (_PREFIX + body.replace("</", "<\\/") + ";\n").encode("utf-8")


def search_index_read(*, path: Path) -> list[dict]:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return []
    if not text.startswith(_PREFIX):
        return []
    try:
        return json.loads(text[len(_PREFIX) :].rstrip().rstrip(";").replace("<\\/", "</"))
    except ValueError:
        return []
