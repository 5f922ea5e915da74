"""What lists, feeds, search and link previews show of an update whose summary is empty.

The update page shows the summary above the text. Copying the first paragraph into the
summary would show readers the opening twice, so an empty summary stays empty, and
everything that shows an update without its text takes the opening of the text instead.
"""

import html
import re

from django.utils.html import strip_tags

from vigil.core.services import DAY_COUNT_TOKEN

TEASER_LENGTH = 300
_PARAGRAPH = re.compile(r"<p\b[^>]*>(.*?)</p>", re.DOTALL | re.IGNORECASE)
_LINE_BREAK = re.compile(r"<br\s*/?>", re.IGNORECASE)
_CITATION = re.compile(r"\s*\[\d{1,3}\]")


def _text(fragment: str) -> str:
    text = html.unescape(strip_tags(_LINE_BREAK.sub(" ", fragment)))
    # "[1]" links to a reference on the page; in a list or a feed it leads nowhere.
    return " ".join(_CITATION.sub("", text).split())


def text_shorten(*, text: str, length: int = TEASER_LENGTH) -> str:
    """`text`, cut at a word boundary before `length` characters, with "…" if it was cut."""
    if len(text) <= length:
        return text
    cut = text[:length].rsplit(" ", 1)[0]
    return cut.rstrip(",;:–—-") + "…"


def body_opening(*, body_data) -> str:
    """The first paragraph of a body (StreamField raw data), as plain text, shortened.

    A paragraph with the `[[days]]` token is passed over: the count changes every day,
    and a teaser is stored, so it would be wrong from the next day on.
    """
    for block in body_data or ():
        if block.get("type") != "paragraph" or not isinstance(block.get("value"), str):
            continue
        value = block["value"]
        for fragment in _PARAGRAPH.findall(value) or [value]:
            text = _text(fragment)
            if text and DAY_COUNT_TOKEN not in text:
                return text_shorten(text=text)
    return ""


def teaser_choose(*, summary: str, opening: str) -> str:
    """The editors' summary where there is one, else the opening of the text."""
    return summary or opening or ""
