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
