"""Every public page type has a pinned number of SQL queries that does not grow with content."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from vigil.cases.tests.factories import CaseIndexPageFactory, CasePageFactory
from vigil.news.tests.factories import SeriesFactory, UpdatePageFactory, references_add
from vigil.pages.tests.factories import StandardPageFactory

TAGS = ["Court", "Health", "Detention"]


def _add_updates(index, count, series):
    for n in range(count):
        update = UpdatePageFactory(parent=index, series=series, chapter=n + 1)
        references_add(update, {"title": "A", "url": "https://example.org/a"}, {"title": "B"})
        update.tags.add(*TAGS)
        update.save()
    return update


@pytest.fixture
def site_content(home, updates_index):
    series = SeriesFactory()
    case = CasePageFactory(parent=CaseIndexPageFactory(parent=home))
    home.featured_case = case
    home.save_revision().publish()
    StandardPageFactory(parent=home, slug="case-background")
    return {"series": series}


PAGES = [
    ("home", "/"),
    ("updates index", "/updates/"),
    ("updates page 2", "/updates/page/2/"),
    ("tag page", "/updates/tag/court/"),
    ("year page", "/updates/year/2022/"),
    ("update", "LAST"),
    ("standard page", "/case-background/"),
    ("cases index", "/cases/"),
    ("case page", "/cases/test-person/"),
    ("search", "/search/?q=update"),
    ("rss feed", "/updates/feed/rss/"),
    ("atom feed", "/updates/feed/atom/"),
    ("tag feed", "/updates/tag/court/feed/rss/"),
    ("sitemap", "/sitemap.xml"),
]


def _count(client, url):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(queries)


@pytest.mark.parametrize(("name", "url"), PAGES, ids=[p[0] for p in PAGES])
def test_query_count_is_pinned_and_does_not_grow(client, site_content, updates_index, name, url):
    """The same number of queries with 11 updates as with 22, and never more than 15."""
    last = _add_updates(updates_index, 11, site_content["series"])
    target = last.url if url == "LAST" else url
    client.get(target)  # warm the site-root cache like any running server
    small = _count(client, target)
    last = _add_updates(updates_index, 11, site_content["series"])
    target = last.url if url == "LAST" else url
    client.get(target)
    large = _count(client, target)
    assert small == large, f"{name}: {small} queries with 11 updates, {large} with 22"
    expected = EXPECTED_BY_VENDOR.get(connection.vendor, {}).get(name, EXPECTED[name])
    assert large == expected, f"{name}: {large} queries, pinned at {expected}"


# Every page names its share image (vigil/sharing): one query for the home page's featured
# case (its day count, and today where the person is held), except where the page shows
# that case anyway (home banner, the update's case strip, the case page itself).
EXPECTED = {
    "home": 9,
    "updates index": 11,
    "updates page 2": 11,
    "tag page": 12,
    "year page": 11,
    # Updates: the case strip's featured case, which the share image uses too (its main
    # action comes with the menu).
    "update": 11,
    "standard page": 8,
    "cases index": 8,
    "case page": 12,
    # One of them counts the search against the reader's rate limit (vigil/ratelimits).
    # On SQLite: every match's score, the matches the reader may see, the page of results
    # (vigil/search/sqlite.py).
    "search": 10,
    "rss feed": 6,
    "atom feed": 6,
    "tag feed": 7,
    "sitemap": 8,
}

# The same on PostgreSQL: its stemming finds more page types ("update" also matches the
# "Latest updates" index), but result cards cost one query whatever their types. Its
# search backend counts, then ranks in the query that loads the page of results.
EXPECTED_BY_VENDOR: dict[str, dict[str, int]] = {"postgresql": {"search": 9}}
