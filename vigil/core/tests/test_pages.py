"""Behaviour every page type shares (PageMixin)."""

import re

from django.db import connection
from django.test.utils import CaptureQueriesContext
from wagtail.models import PageViewRestriction

from vigil.news.tests.factories import UpdatePageFactory
from vigil.pages.tests.factories import StandardPageFactory


def _meta(content: str, attribute: str, name: str) -> str:
    match = re.search(rf'<meta {attribute}="{name}" content="([^"]*)"', content)
    assert match, name
    return match.group(1)


def test_description_is_the_search_description_then_summary_then_intro(client, home, updates_index):
    """Search engines and link previews get the editor's search description where there is
    one, else the update's summary or the page's introduction, else the tagline."""
    update = UpdatePageFactory(parent=updates_index, summary="What the court decided.")
    standard = StandardPageFactory(parent=home, intro="What happened.", slug="background")
    described = StandardPageFactory(
        parent=home, intro="Intro.", slug="about", search_description="For search engines."
    )
    updates_index.intro = "Every update, newest first."
    updates_index.save_revision().publish()

    page = client.get(update.url).content.decode()
    assert _meta(page, "name", "description") == "What the court decided."
    assert _meta(page, "property", "og:description") == "What the court decided."
    page = client.get(standard.url).content.decode()
    assert _meta(page, "name", "description") == "What happened."
    page = client.get(described.url).content.decode()
    assert _meta(page, "name", "description") == "For search engines."
    assert _meta(page, "property", "og:description") == "Intro."
    page = client.get(updates_index.url).content.decode()
    assert _meta(page, "name", "description") == "Every update, newest first."


def test_a_page_known_to_be_unrestricted_asks_no_query_for_its_restrictions(home, updates_index):
    """The mirror's export marks the pages it listed as public: Wagtail's check before
    serving each then costs no query; other pages still look their restrictions up."""
    update = UpdatePageFactory(parent=updates_index)
    PageViewRestriction.objects.create(
        page=update, restriction_type=PageViewRestriction.PASSWORD, password="secret"
    )
    update.known_unrestricted = True
    with CaptureQueriesContext(connection) as queries:
        assert list(update.get_view_restrictions()) == []
    assert len(queries) == 0
    update.known_unrestricted = False
    assert len(update.get_view_restrictions()) == 1
