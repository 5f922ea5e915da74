"""Journey 7: a reader on a 320 px and a 360 px phone, JavaScript off, in each language.

The reader opens every kind of public page: none is wider than the screen. On the home,
case and update pages the day count and the one main action are on the first screen.
From the home page, the case record, the petition, the support register and the library
are each reached in one tap (two at most) on links the reader can see.

Steps a reader takes: to the case record, the petition, the register or the library,
one tap from the home page (the case record was linked from no page; the petition was
in no menu). To act from an update or the case page: one tap on the main action at the
top (it was below the text, or absent).
"""

import pytest
from playwright.sync_api import expect

from vigil.journeys.harness import LANGUAGES, PHONE, SMALL_PHONE, language_path

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
# Where the day count and the main action are on the pages that must show both first.
FIRST_SCREEN = {
    "home": ("/", ".banner .day-count", ".banner .button--primary"),
    "case": (CASE, ".case-strip .day-count", ".case-strip__action"),
    "update": (UPDATE, ".case-strip .day-count", ".case-strip__action"),
}
# What the reader must reach from the home page in at most two taps.
DESTINATIONS = {
    "case record": CASE,
    "petition": "/petition/",
    "support register": "/support/",
    "library": "/library/",
}
MAX_TAPS = 2


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


def _day_count_and_main_action_come_first(journey, page, language: str, height: int) -> None:
    for name, (path, count, action) in FIRST_SCREEN.items():
        page.goto(language_path(language, path))
        expect(page.locator(count)).to_be_visible()
        expect(page.locator(action)).to_be_visible()
        assert _on_first_screen(page.locator(count), height), f"{name}: the day count"
        assert _on_first_screen(page.locator(action), height), f"{name}: the main action"
        journey.shot(page, f"first-screen-{name}")


def _visible_link(page, href: str):
    """A link to `href` the reader can see (not hidden), or None."""
    links = page.locator(f'a[href="{href}"]:visible')
    return links.first if links.count() else None


def _taps_to(page, home: str, target: str) -> int | None:
    """The fewest taps on visible links from the home page to `target` (at most two)."""
    page.goto(home)
    link = _visible_link(page, target)
    if link is not None:
        link.click()
        return 1
    hrefs = page.locator("a[href^='/']:visible").evaluate_all(
        "links => [...new Set(links.map(a => a.getAttribute('href')))]"
    )
    for href in hrefs:
        page.goto(home)
        page.locator(f'a[href="{href}"]:visible').first.click()
        link = _visible_link(page, target)
        if link is not None:
            link.click()
            return 2
    return None


def _key_pages_are_a_tap_or_two_away(journey, page, language: str, width: int) -> None:
    home = language_path(language, "/")
    for name, path in DESTINATIONS.items():
        target = language_path(language, path)
        taps = _taps_to(page, home, target)
        assert taps is not None and taps <= MAX_TAPS, f"{name}: not within {MAX_TAPS} taps"
        assert page.url.endswith(target), page.url
        expect(page.get_by_role("heading", level=1)).to_be_visible()
        journey.shot(page, f"{width}-reached-{name.replace(' ', '-')}")


@pytest.mark.parametrize("language", LANGUAGES)
def test_reader_on_a_phone_without_javascript(journey, language):
    for viewport in (SMALL_PHONE, PHONE):
        # One profile per screen size: the reader's phone, JavaScript off.
        page = journey.page(language=language, viewport=viewport, javascript=False)
        _every_page_type_fits(journey, page, language, viewport["width"])
        if viewport == PHONE:
            _day_count_and_main_action_come_first(journey, page, language, viewport["height"])
        _key_pages_are_a_tap_or_two_away(journey, page, language, viewport["width"])
