"""Journey 7: a reader on a 320 px and a 360 px phone (and a 1280 px screen), JavaScript
off, in each language.

The reader opens every kind of public page: none is wider than the screen. On the home,
case and update pages the first screen shows the person's portrait, the day count as the
largest figure on the page, the status line and the one main action with its figure.
From every page, the case record, the petition, the support register and the library
are each one tap away on links the reader can see. What a messenger shows when the
reader shares a page is its picture (og:image: 1200x630, counting the same days as the
page) and the share links all name the page.

Steps a reader takes: to the case record, the petition, the register or the library,
one tap from whatever page they are on (the case record was linked from no page; the
petition was two taps deep). To act from an update or the case page: one tap on the
main action at the top.
"""

import re
import struct
from urllib.parse import parse_qs, urlsplit

import pytest
from playwright.sync_api import expect

from vigil.journeys.harness import DESKTOP, LANGUAGES, PHONE, SMALL_PHONE, language_path

pytestmark = pytest.mark.browser

CASE = "/cases/karim-massimov/"
UPDATE = "/updates/convicted-and-sentenced-to-18-years/"
# Every public page type, by name, with the status it answers.
PAGE_TYPES = {
    "home": ("/", 200),
    "updates": ("/updates/", 200),
    "update": (UPDATE, 200),
    "tag": ("/updates/tag/un/", 200),
    "case": (CASE, 200),
    "fact-sheet": (CASE + "fact-sheet/", 200),
    "standard-page": ("/case-background/", 200),
    "petition": ("/petition/", 200),
    "support-register": ("/support/", 200),
    "library": ("/library/", 200),
    "document": ("/library/wgad-opinion-57-2022/", 200),
    "mirrors": ("/mirrors/", 200),
    "search-results": ("/search/?q=Massimov", 200),
    "not-found": ("/no-such-page/", 404),
}
# The pages whose first screen must persuade: portrait, day count, status, main action.
FIRST_SCREEN = {"home": "/", "case": CASE, "update": UPDATE}
FIRST_SCREEN_PARTS = {
    "portrait": ".hero__portrait",
    "day count": ".hero .day-count__number",
    "status line": ".hero__status",
    "main action": ".hero__action .button--primary",
    "its figure": ".hero__figure",
}
# What the reader must reach from every page in one tap.
DESTINATIONS = {
    "case record": CASE,
    "petition": "/petition/",
    "support register": "/support/",
    "library": "/library/",
}


def _scroll_width(page) -> int:
    return page.evaluate("() => document.documentElement.scrollWidth")


def _on_first_screen(locator, height: int) -> bool:
    box = locator.bounding_box()
    return box is not None and box["y"] >= 0 and box["y"] + box["height"] <= height


def _every_page_type_fits(journey, page, language: str, width: int) -> None:
    wide = []
    for name, (path, status) in PAGE_TYPES.items():
        response = page.goto(language_path(language, path))
        assert response.status == status, f"{name}: {response.status}"
        journey.shot(page, f"{width}-{name}")
        if _scroll_width(page) > width:
            wide.append(f"{name} ({_scroll_width(page)} px)")
    assert not wide, f"wider than a {width} px screen in {language}: {wide}"


def _first_screen_persuades(journey, page, language: str, viewport: dict) -> None:
    for name, path in FIRST_SCREEN.items():
        page.goto(language_path(language, path))
        for part, selector in FIRST_SCREEN_PARTS.items():
            locator = page.locator(selector)
            expect(locator).to_be_visible()
            assert _on_first_screen(locator, viewport["height"]), f"{name}: {part}"
        count_size = _font_size(page, ".hero .day-count__number")
        largest = page.evaluate(
            """() => Math.max(...[...document.querySelectorAll('h1, h2, h3, p, a, span, li')]
                .filter(e => !e.closest('.day-count'))
                .map(e => parseFloat(getComputedStyle(e).fontSize)))"""
        )
        assert count_size > largest, f"{name}: the day count ({count_size} px) is not the largest"
        journey.shot(page, f"{viewport['width']}-first-screen-{name}")


def _font_size(page, selector: str) -> float:
    return page.locator(selector).evaluate("e => parseFloat(getComputedStyle(e).fontSize)")


def _visible_link(page, href: str):
    """A link to `href` the reader can see (not hidden), or None."""
    links = page.locator(f'a[href="{href}"]:visible')
    return links.first if links.count() else None


def _key_pages_are_one_tap_from_every_page(journey, page, language: str, width: int) -> None:
    for name, (path, _status) in PAGE_TYPES.items():
        page.goto(language_path(language, path))
        missing = [
            destination
            for destination, target in DESTINATIONS.items()
            if _visible_link(page, language_path(language, target)) is None
        ]
        assert not missing, f"{name}: no visible link to {missing}"
    home = language_path(language, "/")
    for name, path in DESTINATIONS.items():
        target = language_path(language, path)
        page.goto(home)
        _visible_link(page, target).click()
        assert page.url.endswith(target), page.url
        expect(page.get_by_role("heading", level=1)).to_be_visible()
        journey.shot(page, f"{width}-reached-{name.replace(' ', '-')}")


def _png_facts(data: bytes) -> tuple[int, int, dict[str, str]]:
    """A PNG's width, height and text chunks (tEXt and iTXt)."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    width, height = struct.unpack(">II", data[16:24])
    texts, at = {}, 8
    while at < len(data):
        (length,) = struct.unpack(">I", data[at : at + 4])
        kind, body = data[at + 4 : at + 8], data[at + 8 : at + 8 + length]
        if kind == b"tEXt":
            key, _, value = body.partition(b"\0")
            texts[key.decode("latin-1")] = value.decode("latin-1")
        elif kind == b"iTXt":
            key, _, rest = body.partition(b"\0")
            # compression flag and method, language tag, translated keyword, then the text
            _language, _, rest = rest[2:].partition(b"\0")
            _translated, _, value = rest.partition(b"\0")
            texts[key.decode("latin-1")] = value.decode("utf-8")
        at += 12 + length
    return width, height, texts


def _shared_picture_shows_the_count(journey, page, language: str) -> None:
    """What WhatsApp or Telegram fetch for the preview: the page's og:image, 1200x630,
    counting the days the page shows; and every share link names the page."""
    for name, path in FIRST_SCREEN.items():
        page.goto(language_path(language, path))
        image_url = page.locator('meta[property="og:image"]').get_attribute("content")
        assert page.locator('meta[name="twitter:card"]').get_attribute("content") == (
            "summary_large_image"
        )
        answer = page.request.get(image_url)
        assert answer.status == 200 and answer.headers["content-type"] == "image/png", name
        width, height, texts = _png_facts(answer.body())
        assert (width, height) == (1200, 630), name
        shown = re.sub(r"\D", "", page.locator(".hero .day-count__number").inner_text())
        assert texts["Vigil-Day-Count"] == shown, f"{name}: the picture counts another day"
        canonical = page.locator('link[rel="canonical"]').get_attribute("href")
        for link in page.locator(".share__link").evaluate_all("a => a.map(e => e.href)"):
            parts = urlsplit(link)
            assert parts.scheme in ("https", "mailto"), link
            named = [v for values in parse_qs(parts.query).values() for v in values]
            assert any(canonical in value for value in named), f"{name}: {link}"
        if name != "home":
            expect(page.locator(".share__url")).to_have_value(canonical)


@pytest.mark.parametrize("language", LANGUAGES)
def test_reader_on_a_phone_without_javascript(journey, language):
    for viewport in (SMALL_PHONE, PHONE, DESKTOP):
        # One profile per screen size: the reader's phone, JavaScript off.
        page = journey.page(language=language, viewport=viewport, javascript=False)
        _every_page_type_fits(journey, page, language, viewport["width"])
        if viewport != SMALL_PHONE:
            _first_screen_persuades(journey, page, language, viewport)
        _key_pages_are_one_tap_from_every_page(journey, page, language, viewport["width"])
        if viewport == PHONE:
            _shared_picture_shows_the_count(journey, page, language)
