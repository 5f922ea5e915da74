"""The demo's case page on a 360 x 640 phone, in each language (issue 22): the at-a-glance
box first, under 8 screens before the first fold, nothing sideways, a contents link that
opens the folded timeline and scrolls to it, and every fold open on paper.

The demo campaign on Django's live server, read by Debian's Chromium (`open_page`).
"""

import pytest
from django.utils import translation
from playwright.sync_api import expect

from vigil.cases.models import CasePage
from vigil.testing.browser import scroll_width

pytestmark = pytest.mark.browser

CASE = "/cases/karim-massimov/"
LANGUAGES = {"en": "", "ru": "/ru", "kk": "/kk"}
PHONE = {"width": 360, "height": 640}
SCREENS_BEFORE_FIRST_FOLD = 8
FIRST_FOLD_TOP = (
    "() => document.querySelector('main details').getBoundingClientRect().top + scrollY"
)


def _glance_is_complete(page, language: str) -> None:
    case = CasePage.objects.get(slug="karim-massimov", locale__language_code=language)
    case.shared_facts_adopt()
    glance = page.locator(".case-glance")
    expect(glance).to_be_visible()
    with translation.override(language):
        terms = [translation.gettext(t) for t in ("Status", "Days detained", "Sentence", "Court")]
        status = str(case.get_status_display())
    for term in terms:
        expect(glance.locator("dt", has_text=term)).to_have_count(1)
    expect(glance).to_contain_text(status)
    expect(glance).to_contain_text(case.sentence)
    expect(glance).to_contain_text(case.court)
    expect(glance.locator(".day-count .day-count__number")).to_be_visible()


@pytest.mark.parametrize("language", LANGUAGES)
def test_case_page_reads_at_a_glance_on_a_phone(demo, open_page, language):
    path = LANGUAGES[language] + CASE
    page = open_page(path, viewport=PHONE)
    _glance_is_complete(page, language)
    first_fold = page.evaluate(FIRST_FOLD_TOP)
    assert first_fold < SCREENS_BEFORE_FIRST_FOLD * PHONE["height"], (
        f"{first_fold / PHONE['height']:.2f} screens before the first fold"
    )
    assert scroll_width(page) <= PHONE["width"]

    timeline = page.locator("details:has(#timeline)")
    expect(timeline).not_to_have_attribute("open", "")
    page.locator(".case-contents a[href='#timeline']").click()
    expect(timeline).to_have_attribute("open", "")
    expect(page.locator("#timeline .timeline__item").first).to_be_in_viewport()
    # Folded again by the reader, the same link opens it again (no hashchange).
    page.locator("details:has(#timeline) > summary").click()
    expect(timeline).not_to_have_attribute("open", "")
    page.locator(".case-contents a[href='#timeline']").click()
    expect(timeline).to_have_attribute("open", "")

    page.goto(path)  # folded again
    page.emulate_media(media="print")  # the stylesheet alone: no beforeprint event
    expect(page.locator("#timeline .timeline__item").first).to_be_visible()
    expect(page.locator("#timeline .timeline__item").last).to_be_visible()
    expect(page.locator("#orders table")).to_be_visible()


def test_printing_unfolds_every_section_and_folds_them_back(demo, open_page):
    """case-folds.js, for browsers whose print stylesheet cannot unfold <details>."""
    page = open_page(CASE, viewport=PHONE)
    folds = page.locator("main details")
    assert folds.count() >= 3
    page.evaluate("() => window.dispatchEvent(new Event('beforeprint'))")
    for fold in folds.all():
        expect(fold).to_have_attribute("open", "")
    page.evaluate("() => window.dispatchEvent(new Event('afterprint'))")
    for fold in folds.all():
        expect(fold).not_to_have_attribute("open", "")


def test_without_javascript_a_link_into_a_fold_opens_it(demo, open_page):
    """Chromium opens the <details> around a link's target itself, and a `kind/` view
    comes with its timeline open."""
    page = open_page(CASE, viewport=PHONE, java_script_enabled=False)
    page.locator(".case-contents a[href='#orders']").click()
    expect(page.locator("details:has(#orders)")).to_have_attribute("open", "")
    expect(page.locator("#orders table")).to_be_in_viewport()
    page.goto(CASE + "kind/court/")
    expect(page.locator("details:has(#timeline)")).to_have_attribute("open", "")
    expect(page.locator("#timeline .timeline__item").first).to_be_visible()
