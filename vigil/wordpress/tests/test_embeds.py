"""Videos a post embedded become link cards (Vigil never loads another site's player),
each named in the report; any other frame is removed and named."""

import pytest

from vigil.news.models import UpdatePage
from vigil.wordpress.services.content import video_page_url

from .helpers import BODIES, body_converted, run_import


def _cards(blocks: list[dict]) -> list[dict]:
    return [block["value"] for block in blocks if block["type"] == "embed"]


def _card_note(url: str, host: str) -> str:
    return f"embedded {url} is now a link card (nothing loads from {host})"


def test_classic_players_and_lone_video_addresses_become_link_cards():
    body = body_converted(108)
    assert [card["url"] for card in _cards(body.blocks)] == [
        "https://www.youtube.com/watch?v=M7lc1UVf-VE&t=42",  # <iframe> …/embed/…?start=42
        "https://www.youtube.com/watch?v=aqz-KE-bpKQ",  # youtube-nocookie.com player
        "https://vimeo.com/76979871/8272103f6e",  # player.vimeo.com, unlisted
        "https://www.youtube.com/watch?v=M7lc1UVf-VE",  # a line of a paragraph
        "https://youtu.be/aqz-KE-bpKQ",  # a paragraph of its own
        "https://vimeo.com/76979871",
        "https://www.youtube.com/watch?v=dQw4w9WgXcQ",  # [embed]…[/embed]
    ]
    assert _cards(body.blocks)[0]["title"] == "The family’s appeal"  # the player's title
    assert [block["type"] for block in body.blocks] == [
        "paragraph",
        "embed",
        "paragraph",
        "embed",
        "paragraph",
        "embed",
        "paragraph",
        "embed",
        "paragraph",
        "embed",
        "embed",
        "embed",
        "paragraph",
    ]
    # The text around a player or a video's line stays, in order.
    assert body.blocks[4]["value"] == "<p>From the hearing:  (recorded outside).</p>"
    assert body.blocks[6]["value"] == "<p>A map of the court:</p><p>Watch it on YouTube:</p>"
    assert body.blocks[8]["value"] == "<p>or share the short link</p>"


def test_each_card_and_each_removed_frame_is_noted():
    body = body_converted(108)
    for card in _cards(body.blocks):
        host = card["url"].split("/")[2].removeprefix("www.")
        assert _card_note(card["url"], host) in body.notes
    assert "removed an embedded frame from www.google.com" in body.notes
    assert len(body.notes) == 8


def test_other_lone_addresses_become_links_as_wordpress_showed_them():
    body = body_converted(108)
    last = body.blocks[-1]["value"]
    assert "https://example.org/campaign (in a sentence)" in last
    assert '<a href="https://example.org/letters">https://example.org/letters</a>' in last


def test_block_editor_embeds_html_blocks_and_paragraph_addresses():
    body = body_converted(109)
    assert _cards(body.blocks) == [
        {
            "url": "https://youtu.be/M7lc1UVf-VE",
            "title": "youtu.be",
            "description": "The family’s appeal, 2 March 2023",  # the embed block's caption
        },
        {"url": "https://vimeo.com/76979871", "title": "vimeo.com", "description": ""},
        {
            "url": "https://www.youtube.com/watch?v=aqz-KE-bpKQ",
            "title": "youtube.com",
            "description": "",
        },
    ]
    assert "removed an embedded frame from www.facebook.com" in body.notes
    assert _card_note("https://vimeo.com/76979871", "vimeo.com") in body.notes


@pytest.mark.parametrize(
    ("url", "page"),
    [
        (
            "https://www.youtube.com/watch?v=M7lc1UVf-VE",
            "https://www.youtube.com/watch?v=M7lc1UVf-VE",
        ),
        ("https://m.youtube.com/watch?v=M7lc1UVf-VE", "https://m.youtube.com/watch?v=M7lc1UVf-VE"),
        ("https://youtu.be/M7lc1UVf-VE", "https://youtu.be/M7lc1UVf-VE"),
        (
            "https://www.youtube.com/embed/M7lc1UVf-VE",
            "https://www.youtube.com/watch?v=M7lc1UVf-VE",
        ),
        (
            "https://www.youtube-nocookie.com/embed/M7lc1UVf-VE?start=5",
            "https://www.youtube.com/watch?v=M7lc1UVf-VE&t=5",
        ),
        (
            "https://www.youtube.com/shorts/M7lc1UVf-VE",
            "https://www.youtube.com/shorts/M7lc1UVf-VE",
        ),
        ("https://vimeo.com/76979871", "https://vimeo.com/76979871"),
        ("https://player.vimeo.com/video/76979871", "https://vimeo.com/76979871"),
        ("https://www.youtube.com/watch?v=short", None),
        ("https://www.youtube.com/@campaign", None),
        ("https://vimeo.com/about", None),
        ("https://www.google.com/maps/embed?pb=1", None),
        ("javascript:alert(1)//youtu.be/M7lc1UVf-VE", None),
    ],
)
def test_video_page_url(url, page):
    assert video_page_url(url=url) == page


def test_imported_update_shows_link_cards_and_the_report_lists_them(client, home, updates_index):
    output = run_import(BODIES)
    assert (
        "#108 Watch the family's appeal: "
        + _card_note("https://www.youtube.com/watch?v=M7lc1UVf-VE&t=42", "youtube.com")
        in output
    )
    assert "#108 Watch the family's appeal: removed an embedded frame from www.google.com" in output
    update = UpdatePage.objects.get(slug="watch-the-appeal")
    assert [block.block_type for block in update.body].count("embed") == 7
    html = client.get(update.url).content.decode()
    assert "<iframe" not in html
    assert 'href="https://vimeo.com/76979871/8272103f6e"' in html
