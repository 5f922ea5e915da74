"""Query strings and the page cache (issue 18, item 6): parameters a page does not use
are ignored, pages that use them are rendered, not stored, and limited per address."""

import pytest
from django.http import QueryDict

from vigil.core.dependencies import EVERY_PARAMETER, parameters_collecting
from vigil.pagecache.middleware import _RecordingQueryDict
from vigil.pagecache.models import CachedPage
from vigil.pagecache.wsgi import query_normalise

from .helpers import get
from .test_page_cache import app, cache_dir, site  # noqa: F401 - the page cache fixtures


def test_parameters_a_page_does_not_use_are_dropped_from_its_key():
    assert query_normalise(query="r=123&utm_source=news", parameters=()) == ""
    assert query_normalise(query="page=2&r=9&tag=court", parameters=("tag", "page")) == (
        "page=2&tag=court"
    )
    # One order whatever order they came in; the values of one name keep theirs.
    assert query_normalise(query="tag=b&page=2&tag=a", parameters=("tag", "page")) == (
        "page=2&tag=b&tag=a"
    )
    # Old WordPress links are redirects on every page.
    assert query_normalise(query="p=123&utm_medium=x", parameters=()) == "p=123"
    assert query_normalise(query="q=", parameters=("q",)) == "q="
    # A page that reads its whole query string depends on every parameter.
    assert query_normalise(query="anything=1", parameters=(EVERY_PARAMETER,)) is None
    assert query_normalise(query="", parameters=(EVERY_PARAMETER,)) == ""


def test_a_page_records_the_parameters_it_reads():
    query = QueryDict("tag=court&r=1")
    query.__class__ = _RecordingQueryDict
    with parameters_collecting() as names:
        query.get("tag")
        query.get("year")  # absent, but the page would change if it were there
        assert "page" not in query
    assert names == {"tag", "year", "page"}
    with parameters_collecting() as names:
        bool(query)  # is there a query string at all: says nothing about the page
        assert dict(query.items())
    assert EVERY_PARAMETER in names


def test_unused_and_tracking_parameters_get_the_cached_page(app, site):  # noqa: F811
    first = get(app, "/updates/")
    assert first.cache == "miss"
    for query in ("r=8f3a91", "utm_source=newsletter&utm_campaign=x", "fbclid=abc"):
        answer = get(app, f"/updates/?{query}")
        assert (answer.status, answer.cache) == (200, "hit"), query
        assert answer.body == first.body
    # Cold: the first address with a query string stores the page under its own key.
    answer = get(app, "/about/?utm_source=x")
    assert answer.cache == "miss"
    assert get(app, "/about/").cache == "hit"
    assert list(CachedPage.objects.filter(url__contains="?").values_list("url", flat=True)) == []


def test_parameters_a_page_uses_are_rendered_and_never_stored(app, site):  # noqa: F811
    get(app, "/search/")
    assert get(app, "/search/").cache == "hit"
    answer = get(app, "/search/?q=detention&utm_source=x")
    assert answer.status == 200 and answer.cache is None
    assert 'value="detention"' in answer.text
    # The updates index sends ?page= to its path form; the redirect is Django's.
    get(app, "/updates/")
    assert get(app, "/updates/?page=2").status in (301, 302)
    assert CachedPage.objects.filter(url__contains="?").count() == 0


def test_renders_for_query_strings_are_limited_per_address_before_django(
    app,  # noqa: F811
    site,  # noqa: F811
    settings,
):
    settings.PAGE_CACHE_QUERY_RATE_LIMIT = (3, 60)
    get(app, "/updates/")
    statuses = [get(app, f"/search/?q=word{n}").status for n in range(5)]
    assert statuses == [200, 200, 200, 429, 429]
    refused = get(app, "/search/?q=word9")
    assert refused.headers["Retry-After"] == "60"
    assert "no-store" in refused.headers["Cache-Control"]
    assert b"Too many requests" in refused.body
    # Cached pages, with or without parameters they ignore, are not counted.
    assert get(app, "/updates/?r=1").cache == "hit"
    assert get(app, "/updates/").status == 200
    # Another address has its own count.
    assert get(app, "/search/?q=word1", x_unused="1").status == 429
    settings.PAGE_CACHE_QUERY_RATE_LIMIT = (100, 60)
    assert get(app, "/search/?q=word1").status == 200


@pytest.mark.parametrize("path", ["/static/x.css?v=1", "/admin/login/?next=/admin/"])
def test_files_and_the_admin_sign_in_are_not_counted(app, site, settings, path):  # noqa: F811
    settings.PAGE_CACHE_QUERY_RATE_LIMIT = (1, 60)
    statuses = {get(app, path).status for _ in range(3)}
    assert 429 not in statuses
