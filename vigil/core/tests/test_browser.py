"""What a reader sees in a real browser, and whether every kind of page passes axe-core.

The demo campaign is served by pytest-django's live server and read by Debian's
Chromium through Playwright. Fixtures live in `browser.py` (see its docstring);
a failed test leaves screenshots in `test-artifacts/`.
"""

import re

import pytest
from playwright.sync_api import expect

from vigil.cases.models import CasePage
from vigil.cases.services import case_days_detained
from vigil.core.models import CampaignSettings
from vigil.news.models import UPDATES_PER_PAGE, UpdateIndexPage, UpdatePage
from vigil.testing.browser import axe_violations, scroll_width, violations_report

pytestmark = pytest.mark.browser

CASE_SLUG = "karim-massimov"
UPDATE_WITH_REFERENCES = "/updates/convicted-and-sentenced-to-18-years/"
UPDATE_WITH_ONE_TAG = "/updates/doctor-warns-further-detention-risks-early-death/"
LAST_CHAPTER = "/updates/closed-justice-4-a-trial-classified-top-secret/"
PREVIOUS_CHAPTER = "/updates/closed-justice-3-the-right-to-a-defence/"
SEARCH_WORD = "Borrell"
BORRELL_TITLE = "EU High Representative Josep Borrell raises the case in Astana"


def _days_detained() -> int:
    case = CasePage.objects.get(slug=CASE_SLUG, locale__language_code="en")
    return case_days_detained(
        detained_on=case.detained_on, released_on=case.released_on, time_zone=case.time_zone
    )


def _assert_days_shown(locator, days_before: int) -> None:
    """The figure equals the server's count (either side of a midnight in Almaty)."""
    shown = _number(locator.inner_text())
    assert shown in {days_before, _days_detained()}, f"shows {shown}, expected {days_before}"


def _number(text: str) -> int:
    """A figure as shown to readers ('1,785') as an int."""
    return int(re.sub(r"\D", "", text))


def _card_titles(scope) -> list[str]:
    return [title.strip() for title in scope.locator("article.card .card__title").all_inner_texts()]


# -- what a reader sees -----------------------------------------------------


def test_home_shows_campaign_banner_day_count_and_pinned_update(demo, open_page):
    campaign = CampaignSettings.objects.get()
    index = UpdateIndexPage.objects.get(locale__language_code="en")
    days = _days_detained()

    page = open_page("/")

    expect(page.locator(".site-name")).to_contain_text(campaign.campaign_name)
    banner = page.locator("section.hero")
    expect(banner.get_by_role("heading", level=1)).to_have_text(campaign.campaign_name)
    expect(banner.locator(".hero__since")).to_contain_text("Detained since 5 January 2022")
    _assert_days_shown(banner.locator(".day-count__number"), days)
    first_card = page.locator("main article.card").first
    expect(first_card).to_have_class(re.compile(r"\bcard--pinned\b"))
    expect(first_card.locator(".card__flag")).to_have_text(re.compile("pinned", re.I))
    expect(first_card.locator(".card__title")).to_have_text(index.pinned_update.title)


def test_updates_index_paginates_with_the_pinned_update_on_page_one_only(demo, open_page):
    index = UpdateIndexPage.objects.get(locale__language_code="en")
    pinned = index.pinned_update
    newest = list(
        UpdatePage.objects.live()
        .filter(locale__language_code="en")
        .public()
        .exclude(pk=pinned.pk)
        .order_by("-date", "-pk")
        .values_list("title", flat=True)
    )

    page = open_page("/updates/")

    main = page.locator(".layout__main")
    # The pinned update comes on top of a full page of the newest others.
    assert _card_titles(main) == [pinned.title, *newest[:UPDATES_PER_PAGE]]
    expect(main.locator("article.card").first).to_have_class(re.compile(r"\bcard--pinned\b"))

    pagination = page.get_by_role("navigation", name="Pages")
    pagination.get_by_role("link", name="Page 2", exact=True).click()

    expect(page).to_have_url(re.compile(r"/updates/page/2/$"))
    current = page.get_by_role("navigation", name="Pages").locator("[aria-current=page]")
    expect(current).to_have_text(re.compile(r"\b2$"))
    expect(main.locator(".card--pinned")).to_have_count(0)
    assert _card_titles(main) == newest[UPDATES_PER_PAGE : 2 * UPDATES_PER_PAGE]
    assert pinned.title not in _card_titles(main)


def test_reference_marker_and_back_link_move_between_text_and_sources(demo, open_page):
    page = open_page(UPDATE_WITH_REFERENCES)
    marker = page.locator("sup.ref-marker a#cite-1-1")
    reference = page.locator("li#ref-1")
    expect(reference).not_to_be_in_viewport()

    marker.click()

    expect(page).to_have_url(re.compile(r"#ref-1$"))
    expect(reference).to_be_in_viewport()
    expect(marker).not_to_be_in_viewport()

    reference.locator("a.backlink").first.click()

    expect(page).to_have_url(re.compile(r"#cite-1-1$"))
    expect(marker).to_be_in_viewport()


def test_tag_link_on_an_update_lists_only_updates_with_that_tag(demo, open_page):
    tagged = set(
        UpdatePage.objects.live()
        .filter(locale__language_code="en")
        .filter(tags__slug="health")
        .values_list("title", flat=True)
    )
    assert 1 < len(tagged) < UpdatePage.objects.live().filter(locale__language_code="en").count()

    page = open_page(UPDATE_WITH_ONE_TAG)
    page.locator("section.tags").get_by_role("link", name="Health", exact=True).click()

    expect(page).to_have_url(re.compile(r"/updates/tag/health/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Updates tagged “Health”")
    titles = _card_titles(page.locator(".layout__main"))
    assert sorted(titles) == sorted(tagged)


def test_header_search_finds_an_update_and_keeps_the_query(demo, open_page):
    page = open_page("/")
    box = page.locator("header").get_by_role("searchbox", name="Search the site")
    box.fill(SEARCH_WORD)
    box.press("Enter")

    expect(page).to_have_url(re.compile(rf"/search/\?q={SEARCH_WORD}$"))
    results = page.locator("main")
    expect(results.get_by_role("status")).to_contain_text(f"for “{SEARCH_WORD}”")
    expect(results.get_by_role("link", name=BORRELL_TITLE, exact=True)).to_be_visible()
    expect(page.locator("#site-search-q")).to_have_value(SEARCH_WORD)
    expect(page.locator("#search-page-q")).to_have_value(SEARCH_WORD)


def test_last_series_chapter_says_more_is_coming_and_links_back(demo, open_page):
    page = open_page(LAST_CHAPTER)
    series_nav = page.get_by_role("navigation", name="Chapters of Closed justice")
    expect(series_nav).to_contain_text("Next chapter coming soon.")
    expect(series_nav.locator("a[rel=next]")).to_have_count(0)

    series_nav.get_by_role("link", name=re.compile(r"^Previous: chapter 3")).click()

    expect(page).to_have_url(re.compile(re.escape(PREVIOUS_CHAPTER) + "$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Closed justice, part 3: the right to a defence"
    )
    series_nav = page.get_by_role("navigation", name="Chapters of Closed justice")
    expect(series_nav.locator("a[rel=next]")).to_contain_text("Next: chapter 4")
    expect(series_nav).not_to_contain_text("coming soon")


def test_cases_index_lists_the_case_name_status_and_day_count_in_order(demo, open_page):
    days = _days_detained()
    page = open_page("/cases/")
    card = page.locator(".case-list > li").first
    name = card.get_by_role("link", name="Dr. Karim Massimov")
    status = card.get_by_text("Convicted and imprisoned")
    count = card.locator(".day-count")
    _assert_days_shown(count.locator(".day-count__number"), days)
    # Read top to bottom: each line starts below the one before, at the same left edge.
    boxes = [name.bounding_box(), status.bounding_box(), count.bounding_box()]
    for above, below in zip(boxes, boxes[1:], strict=False):
        assert below["y"] >= above["y"] + above["height"] - 1, boxes
        assert abs(below["x"] - above["x"]) < 2, boxes


@pytest.mark.parametrize(
    "path", ["/", UPDATE_WITH_REFERENCES, "/updates/"], ids=["home", "update", "updates-index"]
)
def test_no_sideways_scrolling_at_320_pixels(demo, open_page, path):
    page = open_page(path, viewport={"width": 320, "height": 640})
    assert scroll_width(page) <= 320


def test_content_and_day_count_without_javascript(demo, open_page):
    days = _days_detained()

    page = open_page("/", java_script_enabled=False)
    banner = page.locator("section.hero")
    expect(banner.get_by_role("heading", level=1)).to_be_visible()
    _assert_days_shown(banner.locator(".day-count__number"), days)
    expect(banner.locator(".day-count__asof")).to_be_visible()  # the server's date shows
    expect(page.locator("main article.card").first).to_be_visible()

    update = page.context.new_page()
    update.goto(UPDATE_WITH_REFERENCES)
    expect(update.get_by_role("heading", level=1)).to_have_text(
        "Karim Massimov sentenced to 18 years after a closed trial"
    )
    expect(update.locator(".body p").first).to_be_visible()
    expect(update.locator("li#ref-1")).to_be_visible()

    update.goto(f"/cases/{CASE_SLUG}/")
    _assert_days_shown(update.locator(".facts .day-count__number"), days)


# -- accessibility ----------------------------------------------------------

PAGE_TYPES = {
    "home": ("/", 200),
    "updates-index": ("/updates/", 200),
    "updates-index-page-2": ("/updates/page/2/", 200),
    "tag": ("/updates/tag/health/", 200),
    "year": ("/updates/year/2023/", 200),
    "update-with-references": (UPDATE_WITH_REFERENCES, 200),
    "series-chapter": (LAST_CHAPTER, 200),
    "standard-page": ("/case-background/", 200),
    "cases-index": ("/cases/", 200),
    "case": (f"/cases/{CASE_SLUG}/", 200),
    "search-results": (f"/search/?q={SEARCH_WORD}", 200),
    "search-empty": ("/search/", 200),
    "not-found": ("/no-such-page/", 404),
    "case-fact-sheet": (f"/cases/{CASE_SLUG}/fact-sheet/", 200),
    "case-timeline-kind": (f"/cases/{CASE_SLUG}/kind/court/", 200),
    "support-register": ("/support/", 200),
    "support-register-filtered": ("/support/type/ngo/", 200),
    "library": ("/library/", 200),
    "library-document": ("/library/wgad-opinion-57-2022/", 200),
    "petition": ("/petition/", 200),
    "petition-check-email": ("/petition/sign/sent/", 200),
    "subscribe": ("/act/subscribe/", 200),
    "bad-email-link": ("/act/signature/confirm/not-a-token/", 400),
    "home-russian": ("/ru/", 200),
    "update-kazakh": ("/kk/updates/convicted-and-sentenced-to-18-years/", 200),
    "untranslated-update-russian": ("/ru/updates/ngos-call-for-immediate-release/", 200),
    "case-kazakh": (f"/kk/cases/{CASE_SLUG}/", 200),
}


@pytest.mark.parametrize(("path", "status"), PAGE_TYPES.values(), ids=PAGE_TYPES.keys())
def test_page_has_no_axe_violations(demo, open_page, path, status):
    page = open_page(None)
    response = page.goto(path)
    assert response.status == status

    violations = axe_violations(page)

    assert not violations, f"axe found on {path}:\n{violations_report(violations)}"


def test_day_count_script_brings_a_stale_copy_up_to_date(demo, open_page):
    """A page saved weeks ago (cache, mirror) shows today's count once day-count.js runs."""
    days = _days_detained()
    page = open_page(None)

    def stale(route):
        response = route.fetch()
        html = re.sub(
            r'data-computed-on="[\d-]+"', 'data-computed-on="2022-02-01"', response.text()
        )
        html = re.sub(r'(class="day-count__number">)[\d,]+', r"\g<1>27", html)
        route.fulfill(response=response, body=html)

    page.route(f"{demo.url}/", stale)
    page.goto("/")
    _assert_days_shown(page.locator(".hero .day-count__number"), days)
    expect(page.locator(".hero .day-count__asof")).to_be_hidden()


def test_day_count_stays_as_rendered_without_javascript_on_a_stale_copy(demo, open_page):
    """Without the script the figure is the one rendered, with the date it was computed for."""
    page = open_page(None, java_script_enabled=False)

    def stale(route):
        response = route.fetch()
        html = re.sub(r'(class="day-count__number">)[\d,]+', r"\g<1>27", response.text())
        route.fulfill(response=response, body=html)

    page.route(f"{demo.url}/", stale)
    page.goto("/")
    expect(page.locator(".hero .day-count__number")).to_have_text("27")
    expect(page.locator(".hero .day-count__asof")).to_be_visible()
