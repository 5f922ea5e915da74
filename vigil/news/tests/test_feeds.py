import datetime as dt
import email.utils

import feedparser
import pytest
from django.utils import timezone

from vigil.news.tests.factories import UpdatePageFactory


@pytest.fixture
def dated_updates(updates_index):
    first = UpdatePageFactory(
        parent=updates_index, title="First", date=timezone.make_aware(dt.datetime(2022, 1, 6, 12))
    )
    second = UpdatePageFactory(
        parent=updates_index,
        title="Second",
        date=timezone.make_aware(dt.datetime(2022, 3, 8, 9)),
        updated_at=timezone.make_aware(dt.datetime(2022, 3, 9, 9)),
    )
    second.tags.add("Detention orders")
    second.save_revision().publish()
    return first, second


@pytest.mark.parametrize(("path", "version"), [("feed/rss/", "rss20"), ("feed/atom/", "atom10")])
def test_site_feed_parses_with_items_dates_and_links(client, dated_updates, path, version):
    """Both feeds are valid, newest first, with absolute links and the publication dates."""
    response = client.get("/updates/" + path)
    assert response.status_code == 200
    feed = feedparser.parse(response.content)
    assert not feed.bozo, feed.bozo_exception
    assert feed.version == version
    assert [e.title for e in feed.entries] == ["Second", "First"]
    assert feed.entries[0].link == "http://testserver/updates/" + dated_updates[1].slug + "/"
    assert feed.entries[1].summary == "Summary of First."
    published = feed.entries[1].get("published_parsed") or feed.entries[1].get("updated_parsed")
    assert published[:3] == (2022, 1, 6)
    if version == "atom10":
        assert feed.entries[0].updated_parsed[:3] == (2022, 3, 9)
    else:
        assert email.utils.parsedate_to_datetime(feed.entries[0].published).date() == dt.date(
            2022, 3, 8
        )


def test_tag_feed_lists_only_tagged_updates(client, dated_updates):
    feed = feedparser.parse(client.get("/updates/tag/detention-orders/feed/atom/").content)
    assert not feed.bozo
    assert [e.title for e in feed.entries] == ["Second"]
    assert "Detention orders" in feed.feed.title


def test_feed_has_no_drafts(client, updates_index, dated_updates):
    draft = UpdatePageFactory(parent=updates_index, title="Secret draft")
    draft.unpublish()
    assert b"Secret draft" not in client.get("/updates/feed/rss/").content


def test_russian_feed_is_all_in_russian(client, home, updates_index, dated_updates):
    """Channel title and description and every item are Russian: no English campaign
    name or tagline, no untranslated (English) updates."""
    from wagtail.models import Locale

    from vigil.core.models import CampaignSettings

    settings = CampaignSettings.for_site(home.get_site())
    settings.campaign_name, settings.tagline = "Free Test Person", "The English tagline"
    settings.save()
    russian = Locale.objects.get_or_create(language_code="ru")[0]
    home_ru = home.copy_for_translation(russian)
    home_ru.title = "Свободу тестовому человеку"
    home_ru.save_revision().publish()
    index_ru = updates_index.copy_for_translation(russian)
    index_ru.title, index_ru.intro = "Последние новости", "Новости кампании."
    index_ru.save_revision().publish()
    first, second = dated_updates
    first_ru = first.copy_for_translation(russian)
    first_ru.title, first_ru.summary = "Первая", "Сводка первой."
    first_ru.save_revision().publish()
    second.copy_for_translation(russian, alias=True)  # untranslated: an English copy

    for path in ("feed/rss/", "feed/atom/"):
        feed = feedparser.parse(client.get("/ru/updates/" + path).content)
        assert not feed.bozo, feed.bozo_exception
        assert feed.feed.title == "Свободу тестовому человеку: последние новости"
        assert feed.feed.get("subtitle") == "Новости кампании."
        assert [e.title for e in feed.entries] == ["Первая"]
    english = feedparser.parse(client.get("/updates/feed/rss/").content)
    assert english.feed.title == "Free Test Person: latest updates"
    assert english.feed.subtitle == "The English tagline"
