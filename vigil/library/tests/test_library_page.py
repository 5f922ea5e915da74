"""The public library: listing, filters, search, document pages, sitemap, query counts."""

import datetime as dt

import pytest
from django.core.files.base import ContentFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

from .factories import LibraryDocumentFactory, LibraryPageFactory, pdf_bytes


@pytest.fixture
def library(home):
    return LibraryPageFactory(parent=home, title="Library", slug="library")


@pytest.fixture
def documents(library):
    return {
        "opinion": LibraryDocumentFactory(
            title="Opinion No. 1/2023",
            date=dt.date(2023, 5, 1),
            kind="un-opinion",
            language="en",
            issuer="UN Working Group on Arbitrary Detention",
            summary="The detention is arbitrary.",
            source_url="https://www.ohchr.org/opinion",
            file=ContentFile(pdf_bytes(pages=7), name="opinion.pdf"),
        ),
        "verdict": LibraryDocumentFactory(
            title="Court verdict",
            date=dt.date(2021, 3, 2),
            kind="court-document",
            language="ru",
            issuer="District court",
            summary="Sentenced after a closed trial.",
        ),
    }


@pytest.mark.django_db
def test_library_lists_documents_newest_first(client, documents):
    """Both documents appear, the 2023 opinion before the 2021 verdict."""
    response = client.get("/library/")
    assert response.status_code == 200
    html = response.content.decode()
    assert html.index("Opinion No. 1/2023") < html.index("Court verdict")
    assert 'href="/library/kind/un-opinion/"' in html
    assert 'href="/library/year/2021/"' in html
    assert 'href="/library/language/ru/"' in html
    assert response["X-Content-Type-Options"] == "nosniff"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("url", "shown", "hidden"),
    [
        ("/library/kind/court-document/", "Court verdict", "Opinion No. 1/2023"),
        ("/library/year/2023/", "Opinion No. 1/2023", "Court verdict"),
        ("/library/language/ru/", "Court verdict", "Opinion No. 1/2023"),
        ("/library/?q=arbitrary", "Opinion No. 1/2023", "Court verdict"),
        ("/library/?q=district", "Court verdict", "Opinion No. 1/2023"),
        ("/library/?q=VERDICT", "Court verdict", "Opinion No. 1/2023"),
    ],
)
def test_filters_and_search_narrow_the_list(client, documents, url, shown, hidden):
    """Path filters and the search box (title, summary, issuer) each narrow the list."""
    response = client.get(url)
    assert response.status_code == 200
    html = response.content.decode()
    assert shown in html
    assert hidden not in html


@pytest.mark.django_db
@pytest.mark.parametrize(
    "url",
    [
        "/library/kind/spaceship/",
        "/library/language/xx/",
        "/library/year/abcd/",
        "/library/year/20231/",
        "/library/year/1999/",
        "/library/year/0000/",
        "/library/no-such-document/",
        "/library/kind/",
    ],
)
def test_unknown_filters_and_documents_are_404(client, documents, url):
    """Unknown kinds, languages, malformed or empty years and missing documents give 404."""
    assert client.get(url).status_code == 404


@pytest.mark.django_db
@pytest.mark.parametrize(
    "query",
    ["a" * 10_000, "nul\x00byte", "%", "_", "' OR 1=1 --", "<script>alert(1)</script>", "\u202e"],
)
def test_odd_search_input_never_fails(client, documents, query):
    """Long, NUL, wildcard, SQL-ish and markup queries return a page, escaped and bounded."""
    response = client.get("/library/", {"q": query})
    assert response.status_code == 200
    html = response.content.decode()
    assert "<script>alert(1)</script>" not in html
    assert "a" * 201 not in html


@pytest.mark.django_db
def test_document_page_shows_every_fact(client, documents):
    """The document page has title, date, issuer, kind, language, source, checksum, size,
    pages, download link and a citation."""
    opinion = documents["opinion"]
    response = client.get(f"/library/{opinion.slug}/")
    assert response.status_code == 200
    html = response.content.decode()
    for text in [
        "Opinion No. 1/2023",
        "2023-05-01",
        "UN Working Group on Arbitrary Detention",
        "UN opinion",
        "English",
        "https://www.ohchr.org/opinion",
        opinion.sha256,
        f"{opinion.file_size} bytes",
        "7 pages",
        opinion.url,
        "How to cite",
        f"http://testserver/library/{opinion.slug}/",
    ]:
        assert text in html, text


@pytest.mark.django_db
def test_sitemap_lists_every_document_page(client, documents):
    """Each document page is in sitemap.xml."""
    response = client.get("/sitemap.xml")
    assert response.status_code == 200
    xml = response.content.decode()
    assert "http://testserver/library/</loc>" in xml
    for document in documents.values():
        assert f"http://testserver/library/{document.slug}/</loc>" in xml


@pytest.mark.django_db
def test_a_document_titled_in_russian_has_its_page_and_sitemap_entry(client, library):
    """The document's Cyrillic address answers, the library links to it, and the sitemap
    lists it percent-encoded, as the sitemap protocol asks."""
    document = LibraryDocumentFactory(title="Приговор суда", language="ru")
    assert document.slug == "приговор-суда"
    assert 'href="/library/приговор-суда/"' in client.get("/library/").content.decode()
    response = client.get("/library/приговор-суда/")
    assert response.status_code == 200
    assert "Приговор суда" in response.content.decode()
    xml = client.get("/sitemap.xml").content.decode()
    encoded = "%D0%BF%D1%80%D0%B8%D0%B3%D0%BE%D0%B2%D0%BE%D1%80-%D1%81%D1%83%D0%B4%D0%B0"
    assert f"http://testserver/library/{encoded}/</loc>" in xml
    assert "приговор" not in xml


@pytest.mark.django_db
def test_documents_in_private_collections_are_not_listed(client, documents):
    """A document in a password-protected collection is not listed nor given a page."""
    from wagtail.models import Collection, CollectionViewRestriction

    private = Collection.get_first_root_node().add_child(name="Private")
    restriction = CollectionViewRestriction.objects.create(
        collection=private, restriction_type="password", password="secret-password"
    )
    assert restriction.pk
    verdict = documents["verdict"]
    verdict.collection = private
    verdict.save()
    assert "Court verdict" not in client.get("/library/").content.decode()
    assert client.get(f"/library/{verdict.slug}/").status_code == 404


# -- pinned query counts ---------------------------------------------------------------

PAGES = [
    ("library", "/library/"),
    ("kind", "/library/kind/un-opinion/"),
    ("year", "/library/year/2022/"),
    ("language", "/library/language/en/"),
    ("search", "/library/?q=number"),
    ("document", "FIRST"),
]


def _add_documents(count):
    return [LibraryDocumentFactory() for _ in range(count)]


def _count(client, url):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(queries)


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "url"), PAGES, ids=[p[0] for p in PAGES])
def test_query_count_is_pinned_and_does_not_grow(client, library, name, url):
    """The same number of queries with 5 documents as with 15, and never more than 15."""
    first = _add_documents(5)[0]
    target = f"/library/{first.slug}/" if url == "FIRST" else url
    client.get(target)  # warm the site-root cache like any running server
    small = _count(client, target)
    _add_documents(10)
    client.get(target)
    large = _count(client, target)
    assert small == large, f"{name}: {small} queries with 5 documents, {large} with 15"
    assert large == EXPECTED[name], f"{name}: {large} queries, pinned at {EXPECTED[name]}"


# Each with the featured case every page shows at its top (issue 22): one query.
EXPECTED = {
    "library": 11,
    "kind": 11,
    "year": 11,
    "language": 11,
    "search": 11,
    "document": 8,
}
