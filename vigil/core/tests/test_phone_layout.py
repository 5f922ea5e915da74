"""The site on a small phone with JavaScript off: nothing wider than the screen, the
day count and the main action in the first screen, the key pages a tap or two away.

One browser context per language and width, every page type read in it.
"""

import re

import pytest
from django.utils import translation
from playwright.sync_api import expect

from vigil.testing.browser import scroll_width

pytestmark = pytest.mark.browser

CASE = "/cases/karim-massimov/"
LANGUAGES = {"en": "", "ru": "/ru", "kk": "/kk"}
# Every public page type, among them those that were wider than a 320 px phone: the case
# page's facts list (Russian, Kazakh), fact sheet, document page (checksum, source URL),
# /mirrors/ (the key and commands in <pre>) and the support register.
PAGES = [
    "/",
    "/updates/",
    "/updates/convicted-and-sentenced-to-18-years/",
    "/updates/tag/un/",
    "/case-background/",
    "/cases/",
    CASE,
    CASE + "fact-sheet/",
    "/support/",
    "/library/",
    "/library/wgad-opinion-57-2022/",
    "/petition/",
    "/mirrors/",
    "/search/?q=court",
    "/no-such-page/",
]
PHONE = {"width": 320, "height": 640}
FIRST_SCREEN = {"width": 360, "height": 640}


def _wider_than_screen(page, width: int) -> list[str]:
    """The page's path with the elements that reach past the screen's right edge."""
    if scroll_width(page) <= width:
        return []
    culprits = page.evaluate(
        """width => [...document.querySelectorAll('main *')]
            .filter(el => el.getBoundingClientRect().right > width + 0.5)
            .slice(0, 3).map(el => el.tagName + '.' + el.className)""",
        width,
    )
    return [f"{page.url} ({scroll_width(page)} px): {', '.join(culprits)}"]


@pytest.mark.parametrize("language", LANGUAGES)
def test_no_page_type_scrolls_sideways_on_a_320_pixel_phone(demo, open_page, language):
    page = open_page(None, viewport=PHONE, java_script_enabled=False)
    wide = []
    for path in PAGES:
        page.goto(LANGUAGES[language] + path)
        wide += _wider_than_screen(page, PHONE["width"])
    assert not wide, "\n".join(wide)


# -- the first screen -------------------------------------------------------

FIRST_SCREEN_PAGES = {
    "home": ("/", ".hero__action .button--primary"),
    "case page": (CASE, ".hero__action .button--primary"),
    "update": ("/updates/convicted-and-sentenced-to-18-years/", ".hero__action .button--primary"),
}


def _within_first_screen(locator) -> bool:
    box = locator.bounding_box()
    return box is not None and box["y"] >= 0 and box["y"] + box["height"] <= FIRST_SCREEN["height"]


@pytest.mark.parametrize("language", LANGUAGES)
def test_day_count_and_main_action_are_on_the_first_screen(demo, open_page, language):
    page = open_page(None, viewport=FIRST_SCREEN, java_script_enabled=False)
    below = []
    for name, (path, action) in FIRST_SCREEN_PAGES.items():
        page.goto(LANGUAGES[language] + path)
        count = page.locator("main .day-count").first
        link = page.locator(action)
        expect(link).to_have_attribute("href", f"{LANGUAGES[language]}/petition/")
        if not _within_first_screen(count):
            below.append(f"{name}: the day count")
        if not _within_first_screen(link):
            below.append(f"{name}: the main action")
    assert not below, below


# -- navigation -------------------------------------------------------------


def _links(html: str, pattern: str) -> list[tuple[str, str]]:
    """(address, text) of the links inside the first element `pattern` matches."""
    part = re.search(pattern, html, re.DOTALL)
    assert part, pattern
    return re.findall(r'<a [^>]*href="([^"]+)"[^>]*>([^<]+)</a>', part.group(0))


def _menu(client, path: str) -> list[tuple[str, str]]:
    """The header's links: the key pages and the rest of the menu."""
    html = client.get(path).content.decode()
    return _links(html, r'<nav class="key-nav".*?</nav>') + _links(
        html, r'<nav class="site-nav".*?</nav>'
    )


@pytest.mark.parametrize("language", LANGUAGES)
def test_main_menu_leads_to_the_petition_register_library_and_cases(demo, client, language):
    prefix = LANGUAGES[language]
    addresses = {url for url, _text in _menu(client, prefix + "/")}
    wanted = {f"{prefix}/{slug}/" for slug in ("petition", "support", "library", "cases")}
    assert wanted <= addresses, addresses


@pytest.mark.parametrize("language", LANGUAGES)
def test_home_page_links_the_case_record(demo, client, language):
    html = client.get(LANGUAGES[language] + "/").content.decode()
    banner = _links(html, r'<section class="home-intro".*?</section>')
    assert f"{LANGUAGES[language]}{CASE}" in {url for url, _text in banner}


@pytest.mark.parametrize("language", ["ru", "kk"])
def test_menus_show_no_english_title_of_an_untranslated_page(demo, client, language):
    """With the library, the cases index and "About" untranslated (the demo translates
    them; here they are turned back into untranslated copies), menus name the first two
    in the reader's language and leave "About" out; the footer names it in the reader's
    language."""
    from wagtail.models import Page

    for slug in ("library", "cases", "about"):
        original = Page.objects.get(slug=slug, locale__language_code="en")
        Page.objects.filter(
            translation_key=original.translation_key, locale__language_code=language
        ).update(alias_of=original, title=original.title, draft_title=original.title)
    english = {text for _url, text in _menu(client, "/")}
    html = client.get(LANGUAGES[language] + "/").content.decode()
    menu = {text for _url, text in _menu(client, LANGUAGES[language] + "/")}
    footer = {text for _url, text in _links(html, r'<footer class="site-footer".*?</footer>')}
    assert not menu & english, menu & english
    assert "About this campaign" not in footer
    with translation.override(language):
        # The library is one of the header's key links, under its short name.
        named = {translation.gettext("Cases"), translation.pgettext("key link", "Documents")}
        about = translation.gettext("About this campaign")
    assert named <= menu, menu
    assert about in footer, footer
