"""Journey 9: the campaign moves from WordPress, and old links still reach the updates.

The operator imports the old blog's export into the running site (`manage.py
import_wordpress`, five posts of the campaign export the importer's tests use) (1). A
reader on a 360 px phone follows an old WordPress link to a post, `/?p=ID` (2), lands on
the Vigil update, reads its opening once and finds its fifteen sources in the numbered
References list; through an old dated link `/yyyy/mm/dd/slug/` (3) another update shows
its video as a link card, with no player from another site; the old `/feed/` address
gives the RSS feed (4).

English only: the import targets one language (`--locale`, English by default), and the
old site's links are those of that language.
"""

import feedparser
import pytest
from playwright.sync_api import expect

from vigil.journeys.harness import PHONE
from vigil.wordpress.tests.test_campaign_export import POSTS, campaign_export

pytestmark = pytest.mark.browser

MOVED = [post for post in POSTS if post.wp_id in (1003, 1004, 1009, 1012, 1033)]
SOURCED = next(post for post in MOVED if post.wp_id == 1009)  # 15 sources, numbered "1. …"
VIDEO = next(post for post in MOVED if post.wp_id == 1004)  # a YouTube player


def _import(journey, page, tmp_path) -> None:
    """The operator's import, photographed as the terminal showed it."""
    export = campaign_export(tmp_path, MOVED)
    output = journey.site.manage("import_wordpress", str(export))
    assert "5 created, 0 updated, 0 skipped" in output, output
    assert "redirects added" in output and " 0 redirects added" not in output, output
    page.set_content(
        '<body style="background:#111;color:#eee;margin:0">'
        '<pre style="font:13px monospace;padding:1em;white-space:pre-wrap"></pre></body>'
    )
    page.locator("pre").evaluate(
        "(pre, text) => { pre.textContent = text }",
        f"$ manage.py import_wordpress {export.name}\n{output}",
    )
    journey.shot(page, "import")


def _old_link(journey, page, old: str, post) -> None:
    """`old` (the old site's address of `post`) opens its Vigil update."""
    response = page.goto(old)
    assert response.status == 200, old
    expect(page).to_have_url(f"{journey.url}/updates/{post.slug}/")
    expect(page.locator("main h1").first).to_have_text(post.title)
    article = page.locator("article.prose")
    assert article.inner_text().count(post.opening) == 1, "the opening is shown once"


def test_old_wordpress_links_lead_readers_to_the_imported_updates(journey, tmp_path):
    # Before the move, readers keep the home page in the page cache (and old links land on it).
    reader = journey.page(language="en", viewport=PHONE)
    for address in ("/", f"/?p={SOURCED.wp_id}"):
        assert reader.goto(address).status == 200
        expect(reader.locator("main h1").first).not_to_have_text(SOURCED.title)
    journey.shot(reader, "before-the-move-old-link-shows-the-home-page")
    _import(journey, journey.page(), tmp_path)

    _old_link(journey, reader, f"/?p={SOURCED.wp_id}", SOURCED)
    journey.shot(reader, "old-query-link-opens-the-update")
    references = reader.locator("section.references ol > li")
    expect(references).to_have_count(len(SOURCED.sources))
    assert len(SOURCED.sources) == 15
    for number, (title, _url) in enumerate(SOURCED.sources, 1):
        expect(reader.locator(f"#ref-{number}")).to_contain_text(title)
    reader.locator("#references-heading").scroll_into_view_if_needed()
    journey.shot(reader, "numbered-references")

    _old_link(journey, reader, f"/2022/01/20/{VIDEO.slug}/", VIDEO)
    (video_url,) = VIDEO.cards
    card = reader.locator(".embed-card")
    expect(card).to_have_count(1)
    expect(card.locator(f'a[href="{video_url}"]')).to_be_visible()
    expect(card).to_contain_text("Opens on www.youtube.com")
    expect(reader.locator("iframe")).to_have_count(0)
    card.scroll_into_view_if_needed()
    journey.shot(reader, "video-as-a-link-card")

    response = reader.goto("/feed/")
    assert response.status == 200
    assert response.url == f"{journey.url}/updates/feed/rss/"
    assert response.request.redirected_from.url == f"{journey.url}/feed/"
    feed = feedparser.parse(response.body())
    assert feed.version.startswith("rss"), response.headers
    assert feed.entries, "the feed lists updates"
    journey.shot(reader, "old-feed-address-gives-the-rss-feed")
