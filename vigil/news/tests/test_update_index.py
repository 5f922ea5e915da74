import datetime as dt

import pytest
from django.utils import timezone

from vigil.news.tests.factories import UpdatePageFactory


@pytest.fixture
def twelve_updates(updates_index):
    """Twelve updates, one a day from 1 January 2022; the oldest is pinned."""
    updates = [UpdatePageFactory(parent=updates_index) for _ in range(12)]
    updates_index.pinned_update = updates[0]
    updates_index.save()
    return updates


def _titles(response):
    return [card.title for card in response.context["listing"]]


def test_newest_first_ten_a_page_with_the_pinned_update_first(
    client, updates_index, twelve_updates
):
    """Page 1 shows the pinned update, then the ten newest others."""
    response = client.get("/updates/")
    assert response.status_code == 200
    assert response.context["pinned"] == twelve_updates[0]
    assert _titles(response) == [u.title for u in reversed(twelve_updates[2:])]
    content = response.content.decode()
    assert content.index(twelve_updates[0].title) < content.index(twelve_updates[-1].title)
    assert 'href="/updates/page/2/"' in content


def test_pinned_update_is_only_on_page_one(client, updates_index, twelve_updates):
    """Page 2 continues the list and does not repeat the pinned update."""
    response = client.get("/updates/page/2/")
    assert response.status_code == 200
    assert response.context["pinned"] is None
    assert _titles(response) == [twelve_updates[1].title]
    assert 'aria-current="page"' in response.content.decode()


def test_page_one_by_number_redirects_to_the_list(client, updates_index, twelve_updates):
    response = client.get("/updates/page/1/")
    assert response.status_code == 301
    assert response["Location"] == "/updates/"


def test_filter_by_tag(client, updates_index):
    """The tag page lists only updates with that tag, and says which tag."""
    tagged = UpdatePageFactory(parent=updates_index, title="Order runs out")
    tagged.tags.add("Detention orders")
    tagged.save_revision().publish()
    UpdatePageFactory(parent=updates_index, title="Unrelated news")
    response = client.get("/updates/tag/detention-orders/")
    assert response.status_code == 200
    assert _titles(response) == ["Order runs out"]
    content = response.content.decode()
    assert "Updates tagged “Detention orders”" in content
    assert 'href="/updates/tag/detention-orders/feed/rss/"' in content


def test_a_tag_named_in_cyrillic_has_its_pages_and_feeds(client, updates_index):
    """Editors name tags in Russian or Kazakh: the slug keeps its letters (здоровье), and
    the tag's pages, later pages and feeds answer as an English tag's do (they were 404)."""
    for number in range(12):
        update = UpdatePageFactory(parent=updates_index, title=f"Health report {number}")
        update.tags.add("Здоровье")
        update.save_revision().publish()
    link = "/updates/tag/здоровье/"
    assert f'href="{link}"' in client.get(update.url).content.decode()
    response = client.get(link)
    assert response.status_code == 200
    assert _titles(response)[0] == "Health report 11"
    content = response.content.decode()
    assert "Updates tagged “Здоровье”" in content
    assert "/updates/tag/%D0%B7%D0%B4%D0%BE%D1%80%D0%BE%D0%B2%D1%8C%D0%B5/page/2/" in content
    assert client.get(link + "page/2/").status_code == 200
    for feed in ("rss", "atom"):
        response = client.get(f"{link}feed/{feed}/")
        assert response.status_code == 200
        assert "Health report 11" in response.content.decode()
    assert client.get("/updates/tag/нет-такого/").status_code == 404
    sitemap = client.get("/sitemap.xml").content.decode()
    assert "/updates/tag/%D0%B7%D0%B4%D0%BE%D1%80%D0%BE%D0%B2%D1%8C%D0%B5/</loc>" in sitemap


def test_a_tag_of_punctuation_only_gets_an_address_from_its_number(client, updates_index):
    """Tags made only of punctuation or symbols ("!!!", "—") have no letters to make an
    address from: they get "tag-<number>" (taggit made "" and "_1", and every sitemap
    answered 500). Readers still see the name the editor typed."""
    from taggit.models import Tag

    update = UpdatePageFactory(parent=updates_index, title="Outcry")
    update.tags.add("!!!", "—")
    update.save_revision().publish()
    tags = {tag.name: tag.slug for tag in Tag.objects.filter(name__in=["!!!", "—"])}
    assert tags == {name: f"tag-{Tag.objects.get(name=name).pk}" for name in tags}
    for name, slug in tags.items():
        response = client.get(f"/updates/tag/{slug}/")
        assert response.status_code == 200
        assert f"Updates tagged “{name}”" in response.content.decode()
        assert f'href="/updates/tag/{slug}/"' in client.get(update.url).content.decode()
    sitemap = client.get("/sitemap.xml")
    assert sitemap.status_code == 200
    assert all(f"/updates/tag/{slug}/</loc>" in sitemap.content.decode() for slug in tags.values())


@pytest.mark.django_db
def test_tags_saved_before_with_no_letters_get_their_number_on_migrating():
    """Tags taggit saved as "" and "_1" are given "tag-<number>" by the migration;
    other tags keep theirs."""
    import importlib

    from django.apps import apps
    from taggit.models import Tag

    fix = importlib.import_module("vigil.news.migrations.0005_tag_slugs_from_numbers")
    bang, dash, court = (Tag.objects.create(name=name) for name in ("!!!", "—", "Court"))
    Tag.objects.filter(pk=bang.pk).update(slug="")
    Tag.objects.filter(pk=dash.pk).update(slug="_1")
    fix.slugs_fix(apps, None)
    slugs = dict(Tag.objects.values_list("pk", "slug"))
    assert slugs == {bang.pk: f"tag-{bang.pk}", dash.pk: f"tag-{dash.pk}", court.pk: "court"}


def test_filter_by_year(client, updates_index):
    UpdatePageFactory(
        parent=updates_index, title="Old", date=timezone.make_aware(dt.datetime(2022, 5, 1))
    )
    UpdatePageFactory(
        parent=updates_index, title="New", date=timezone.make_aware(dt.datetime(2023, 5, 1))
    )
    response = client.get("/updates/year/2023/")
    assert response.status_code == 200
    assert _titles(response) == ["New"]
    assert response.context["years"] == [2023, 2022]


def test_drafts_and_private_updates_are_not_listed(client, updates_index):
    UpdatePageFactory(parent=updates_index, title="Published one")
    draft = UpdatePageFactory(parent=updates_index, title="Draft one")
    draft.unpublish()
    response = client.get("/updates/")
    assert _titles(response) == ["Published one"]


def test_query_string_filters_redirect_to_paths(client, updates_index, twelve_updates):
    """Old-style ?page=, ?tag= and ?year= links land on the path form."""
    twelve_updates[3].tags.add("Court")
    twelve_updates[3].save_revision().publish()
    assert client.get("/updates/?page=2")["Location"] == "/updates/page/2/"
    assert client.get("/updates/?tag=court")["Location"] == "/updates/tag/court/"
    assert client.get("/updates/?year=2022")["Location"] == "/updates/year/2022/"


@pytest.mark.parametrize(
    "url",
    [
        "/updates/?page=abc",
        "/updates/?page=9999",
        "/updates/page/9999/",
        "/updates/page/0/",
        "/updates/?year=abcd",
        "/updates/year/1900/",
        "/updates/?tag=no-such-tag",
        "/updates/tag/no-such-tag/",
        "/updates/tag/no-such-tag/feed/rss/",
        "/updates/?tag=%00",
        "/updates/?page=-1",
        "/updates/?page=" + "9" * 50,
        "/updates/?tag=" + "a" * 10000,
    ],
)
def test_bad_filters_get_a_404_not_an_error(client, updates_index, twelve_updates, url):
    """Unknown tags, years and pages are a plain 404 page, never a 500."""
    response = client.get(url, follow=True)
    assert response.status_code == 404
    assert "Page not found" in response.content.decode()


def test_404_says_why(client, updates_index, twelve_updates):
    response = client.get("/updates/tag/no-such-tag/")
    assert "There is no such tag." in response.content.decode()


def test_404_for_a_missing_page_number_says_so(client, updates_index, twelve_updates):
    response = client.get("/updates/page/99/")
    assert "There is no such page." in response.content.decode()
