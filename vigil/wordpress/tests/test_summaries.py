"""A post without an excerpt: its opening is shown once on the page, and lists, feeds,
search, link previews and the mirror take a teaser from the text instead."""

import json
import re

from vigil.mirror.services.search_index import search_fields
from vigil.news.models import UpdatePage
from vigil.wordpress.models import WordPressItem
from vigil.wordpress.services import importer

from .helpers import run_import
from .wxr_builder import export_file, item

OPENING = "The appeal court moved the hearing to 12 April without giving a reason."
LONG = " ".join(["The family waited outside the court for the whole day."] * 8)


def _posts():
    return (
        item(
            wp_id=21,
            title="Appeal hearing moved",
            slug="appeal-hearing-moved",
            content=f"{OPENING}\n\nLawyers were not told why.",
        ),
        item(
            wp_id=22,
            title="A long day",
            slug="a-long-day",
            date="2022-03-16 09:00:00",
            content=f"{LONG}\n\nNobody came out.",
        ),
        item(
            wp_id=23,
            title="With an excerpt",
            slug="with-an-excerpt",
            date="2022-03-17 09:00:00",
            excerpt="The editors own summary.",
            content="<p>Its first paragraph.</p>",
        ),
    )


def _article(html: str) -> str:
    """The update's header and text, without the page's head (meta tags repeat the teaser)."""
    return html.split('<article class="wrap prose">', 1)[1].split('<section class="tags"', 1)[0]


def _meta(html: str, attribute: str, name: str) -> str:
    match = re.search(rf'<meta {attribute}="{name}" content="([^"]*)">', html)
    assert match, name
    return match.group(1)


def test_opening_is_shown_once_and_teasers_come_from_the_text(
    client, home, updates_index, tmp_path
):
    run_import(export_file(tmp_path, *_posts()))
    update = UpdatePage.objects.get(slug="appeal-hearing-moved")
    assert update.summary == ""  # WordPress had no excerpt: nothing is stored as summary
    assert update.teaser == OPENING

    html = client.get(update.url).content.decode()
    assert _article(html).count(OPENING) == 1, "the opening is not repeated above the text"
    assert 'class="lede"' not in _article(html)
    assert _meta(html, "name", "description") == OPENING
    assert _meta(html, "property", "og:description") == OPENING
    structured = re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    assert json.loads(structured.group(1))["description"] == OPENING

    listing = client.get(updates_index.url).content.decode()
    assert f'<p class="card__summary">{OPENING}</p>' in listing
    rss = client.get("/updates/feed/rss/").content.decode()
    assert f"<description>{OPENING}</description>" in rss
    atom = client.get("/updates/feed/atom/").content.decode()
    assert f'<summary type="html">{OPENING}</summary>' in atom
    found = client.get("/search/?q=appeal").content.decode()
    assert f'<p class="card__summary">{OPENING}</p>' in found
    assert search_fields(page=update)["s"] == OPENING


def test_a_long_opening_is_shortened_and_an_excerpt_stays_the_summary(
    client, home, updates_index, tmp_path
):
    run_import(export_file(tmp_path, *_posts()))
    long = UpdatePage.objects.get(slug="a-long-day")
    assert long.summary == ""
    assert long.teaser.endswith("…") and len(long.teaser) <= 301
    assert LONG.startswith(long.teaser[:-1])
    excerpted = UpdatePage.objects.get(slug="with-an-excerpt")
    assert excerpted.summary == excerpted.teaser == "The editors own summary."
    html = client.get(excerpted.url).content.decode()
    assert '<p class="lede">The editors own summary.</p>' in _article(html)
    assert "Its first paragraph." in _article(html)


def test_reimport_clears_a_summary_an_earlier_import_copied_from_the_opening(
    home, updates_index, tmp_path, monkeypatch
):
    """Posts imported before summaries were left empty carry their opening as summary:
    importing the same export again clears it, as a new revision, and says so."""
    path = export_file(tmp_path, *_posts())
    # The earlier import: the previous converter, which copied each post's opening.
    openings = {21: OPENING, 22: LONG, 23: "Its first paragraph."}
    with monkeypatch.context() as earlier:
        earlier.setattr(importer, "CONVERTER_VERSION", importer.LEGACY_CONVERTER_VERSION)
        earlier.setattr(
            importer,
            "_summary",
            lambda item, notes: importer._summary_legacy(item, openings[item.wp_id]),
        )
        run_import(path)
    moved = UpdatePage.objects.get(slug="appeal-hearing-moved")
    assert moved.summary == OPENING  # what the earlier import stored
    revisions = moved.revisions.count()

    dry = run_import(path, dry_run=True)
    assert "update #21 Appeal hearing moved: unchanged in WordPress; its summary" in dry
    output = run_import(path)
    assert "3 updated, 0 skipped" in output
    assert "update #21 Appeal hearing moved: unchanged in WordPress; its summary" in output
    # Its summary was WordPress's excerpt: kept, and the post converted again.
    assert "update #23 With an excerpt: unchanged in WordPress; converted again" in output
    moved.refresh_from_db()
    assert moved.summary == "" and moved.teaser == OPENING
    assert moved.live and not moved.has_unpublished_changes
    assert moved.revisions.count() == revisions + 1
    mapping = WordPressItem.objects.get(wp_id=21)
    assert mapping.revision_id == moved.latest_revision_id  # later imports still recognise it
    assert UpdatePage.objects.get(slug="with-an-excerpt").summary == "The editors own summary."
    assert "0 created, 0 updated, 3 skipped" in run_import(path)
