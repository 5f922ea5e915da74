import pytest

from vigil.news.tests.factories import UpdatePageFactory
from vigil.pages.tests.factories import StandardPageFactory
from vigil.search.services import MAX_QUERY_LENGTH


@pytest.fixture
def searchable(home, updates_index):
    UpdatePageFactory(parent=updates_index, title="Collapse in court", summary="Emergency surgery.")
    UpdatePageFactory(
        parent=updates_index,
        title="Doctors warn",
        body=[{"type": "paragraph", "value": "<p>A cardiologist from Baltimore testified.</p>"}],
    )
    StandardPageFactory(parent=home, title="About the campaign", slug="about")
    for n in range(12):
        UpdatePageFactory(parent=updates_index, title=f"Detention order {n}")


def test_finds_updates_by_title(client, searchable):
    response = client.get("/search/?q=collapse")
    assert response.status_code == 200
    assert [r.title for r in response.context["results"]] == ["Collapse in court"]
    content = response.content.decode()
    assert 'value="collapse"' in content
    assert "Emergency surgery." in content


def test_finds_updates_by_body_text(client, searchable):
    response = client.get("/search/?q=cardiologist")
    assert [r.title for r in response.context["results"]] == ["Doctors warn"]


def test_finds_standard_pages(client, searchable):
    response = client.get("/search/?q=campaign")
    assert "About the campaign" in [r.title for r in response.context["results"]]


def test_results_are_paginated_and_keep_the_query(client, searchable):
    first = client.get("/search/?q=detention+order")
    assert len(first.context["results"]) == 10
    assert 'href="?q=detention%20order&amp;page=2"' in first.content.decode()
    second = client.get("/search/?q=detention+order&page=2")
    assert len(second.context["results"]) == 2


def test_drafts_are_not_found(client, searchable, updates_index):
    draft = UpdatePageFactory(parent=updates_index, title="Unpublished zebra")
    draft.unpublish()
    assert list(client.get("/search/?q=zebra").context["results"]) == []


def test_empty_query_shows_the_form(client, searchable):
    response = client.get("/search/")
    assert response.status_code == 200
    assert response.context["results"] is None
    assert 'name="q"' in response.content.decode()


@pytest.mark.parametrize(
    "query",
    [
        "a" * 10_000,
        "court\x00",
        "\x00\x00",
        '"unbalanced',
        "AND OR NOT",
        "*",
        "court)",
        "NEAR(",
        "^",
        "'; DROP TABLE wagtailcore_page; --",
        "тюрьма",
        "ab:cd",
        "-",
        "' OR 1=1 --",
    ],
)
def test_odd_queries_never_fail(client, searchable, query):
    """Long, binary, operator-only and injection-shaped queries get a page, not an error."""
    response = client.get("/search/", {"q": query})
    assert response.status_code == 200


def test_long_query_is_shortened_with_a_notice(client, searchable):
    response = client.get("/search/", {"q": "court " * 3000})
    assert len(response.context["search_query"]) <= MAX_QUERY_LENGTH
    assert "shortened" in response.content.decode()


@pytest.mark.parametrize("page", ["abc", "0", "999", "-1", "1" * 20])
def test_bad_page_numbers_are_404(client, searchable, page):
    response = client.get("/search/", {"q": "detention", "page": page})
    assert response.status_code == 404


def test_invalid_utf8_in_the_query_is_refused_with_a_message(client, searchable):
    """Django would replace the bad bytes and search for something nobody typed."""
    response = client.get("/search/?q=%ff%fe%00court")
    assert response.status_code == 400
    assert "characters that could not be read" in response.content.decode()


def test_a_nul_in_valid_utf8_is_searched_without_it(client, searchable):
    response = client.get("/search/?q=%00court")
    assert response.status_code == 200


def test_quotes_and_operators_are_ignored_not_errors(client, searchable):
    """Punctuation is dropped, the words are still searched."""
    response = client.get("/search/", {"q": '"collapse'})
    assert [r.title for r in response.context["results"]] == ["Collapse in court"]


def test_one_pass_ranking_gives_wagtails_results_in_wagtails_order(home, updates_index):
    """On SQLite the index is read once for every match's score (Wagtail's backend ran the
    match again for each result): the same pages, count and order, ties broken by the
    newest id, page after page; drafts stay out. Elsewhere Wagtail's own backend is used."""
    from django.db import connection
    from modelsearch.backends import database
    from wagtail.models import Page

    from vigil.search import database as vigil_database

    for n in range(7):
        UpdatePageFactory(parent=updates_index, title=f"Court hearing {n % 2}")
    UpdatePageFactory(
        parent=updates_index,
        title="Court, court and court",
        body=[{"type": "paragraph", "value": "<p>The court sat in the court.</p>"}],
    )
    UpdatePageFactory(parent=updates_index, title="Unrelated news")
    UpdatePageFactory(parent=updates_index, title="Court draft").unpublish()
    pages = Page.objects.live().public().descendant_of(home, inclusive=True)
    ours, wagtails = vigil_database.SearchBackend({}), database.SearchBackend({})
    if connection.vendor != "sqlite":
        assert type(ours) is type(wagtails)
        return
    from vigil.search.sqlite import RankedOnceSearchBackend

    assert type(ours) is RankedOnceSearchBackend
    for query in ("court", "court hearing", "hearing 1", "nothing-like-it"):
        expected = wagtails.search(query, pages, operator="and")
        found = ours.search(query, pages, operator="and")
        assert found.count() == expected.count()
        for start in range(0, expected.count() + 3, 3):
            assert [p.pk for p in found[start : start + 3]] == [
                p.pk for p in expected[start : start + 3]
            ], (query, start)
    court = [p.title for p in ours.search("court", pages, operator="and")]
    assert court[0] == "Court, court and court" and "Court draft" not in court
    assert len(court) == 8
    scored = ours.search("court", pages, operator="and").annotate_score("rank")[:2]
    assert all(isinstance(page.rank, float) for page in scored)
