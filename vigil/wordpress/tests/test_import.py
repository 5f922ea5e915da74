"""Importing a real WordPress export: what each post, page and attachment becomes."""

import datetime as dt

import pytest
from taggit.models import Tag

from vigil.images.models import CampaignImage
from vigil.library.models import LibraryDocument
from vigil.news.models import UpdateIndexPage, UpdatePage
from vigil.pages.models import StandardPage
from vigil.wordpress import services
from vigil.wordpress.models import WordPressItem

from .helpers import EXPORT, FIXTURES, UPLOADS, run_import

UTC = dt.UTC


def _update(slug: str) -> UpdatePage:
    return UpdatePage.objects.get(slug=slug)


def _body_types(page) -> list[str]:
    return [block.block_type for block in page.body]


def test_posts_become_updates_with_dates_authors_summaries_and_tags(imported):
    """Slug, publication and change dates (UTC), byline, excerpt and tags come across."""
    hearing = _update("hearing-postponed-again")
    assert hearing.title == "Hearing postponed again"
    assert hearing.date == dt.datetime(2022, 3, 15, 4, 30, tzinfo=UTC)
    assert hearing.first_published_at == hearing.date
    assert hearing.updated_at is None  # never changed after publishing
    assert hearing.author == "Campaign team"
    assert hearing.summary == "The court postponed the hearing for the third time."
    assert hearing.live
    assert {t.name for t in hearing.tags.all()} == {"Court", "Hearings", "News"}
    findings = _update("un-working-group-findings")
    assert findings.author == "Dana Nurlanovna"
    assert findings.updated_at == dt.datetime(2023, 3, 4, 3, 15, tzinfo=UTC)
    # WordPress's default category is no topic.
    statement = _update("statement-from-the-family")
    assert not statement.tags.exists()
    assert UpdatePage.objects.child_of(imported["index"]).count() == 9


def test_sticky_post_is_the_pinned_update(imported):
    index = UpdateIndexPage.objects.get(pk=imported["index"].pk)
    assert index.pinned_update == _update("un-working-group-findings")
    assert "Pinned update: What the UN Working Group found" in imported["output"]


def test_draft_stays_draft_and_scheduled_stays_scheduled(imported):
    draft = UpdatePage.objects.get(title="Notes on the appeal")
    assert not draft.live
    assert draft.latest_revision is not None
    assert draft.slug == "notes-on-the-appeal"
    # WordPress leaves a draft's UTC date empty; the site's offset (+6) fills it in.
    assert draft.date == dt.datetime(2023, 5, 1, 6, 0, tzinfo=UTC)
    scheduled = _update("appeal-hearing-announced")
    go_live = dt.datetime(2090, 5, 1, 5, 0, tzinfo=UTC)
    assert not scheduled.live
    assert scheduled.go_live_at == go_live
    assert scheduled.latest_revision.approved_go_live_at == go_live
    assert scheduled.status_string == "scheduled"


def test_references_heading_with_numbered_list_becomes_numbered_references(imported):
    """ "References" and "Источники" lists leave the body and become the update's references."""
    findings = _update("un-working-group-findings")
    references = list(findings.references.order_by("sort_order"))
    assert [r.title for r in references] == [
        "Opinion No. 12/2023 concerning Karim Massimov",
        "Statement of the defence team, 2 March 2023",
    ]
    assert references[0].url == "https://www.ohchr.org/en/opinion-12-2023"
    assert references[0].publisher == "UN Working Group on Arbitrary Detention"
    assert "References" not in [b.value["text"] for b in findings.body if b.block_type == "heading"]
    russian = UpdatePage.objects.get(title="Суд отклонил жалобу защиты")
    assert [r.title for r in russian.references.all()] == [
        "Решение апелляционного суда",
        "Заявление адвокатов от 1 июня 2022 года",
    ]
    assert "Источники" not in str(russian.body.raw_data)


def test_nested_lists_blockquotes_headings_and_embeds_survive(imported):
    findings = _update("un-working-group-findings")
    assert _body_types(findings) == [
        "paragraph",
        "heading",
        "paragraph",
        "quote",
        "image",
        "embed",
    ]
    lists = findings.body[2].value.source
    assert "<ul><li>Detention without a legal basis" in lists
    assert (
        "<ul><li>no detention order for 41 days</li><li>no judicial review</li></ul></li>" in lists
    )
    quote = findings.body[3].value
    assert quote["text"] == "The deprivation of liberty of Mr. Massimov is arbitrary."
    assert quote["attribution"] == "UN Working Group on Arbitrary Detention"
    assert findings.body[5].value["url"] == "https://www.youtube.com/watch?v=dQw4w9WgXcQ"
    kazakh = UpdatePage.objects.get(title="Қамаудағы күндер: не істеуге болады")
    assert "<li>Прокурорға хат жазыңыз\n<ul><li>пошта арқылы</li>" in kazakh.body[0].value.source
    helping = _update("how-you-can-help")
    assert helping.body[1].value["attribution"] == "William Gladstone"


def test_classic_posts_get_paragraphs_from_blank_lines(imported):
    """wpautop: blank lines are paragraphs and single newlines line breaks."""
    hearing = _update("hearing-postponed-again")
    first = hearing.body[0].value.source
    assert first.startswith("<p>The Almaty city court postponed the hearing for the <b>third")
    assert "statement</a>.<br>\nIt was published the same day.</p>" in first
    assert _body_types(hearing) == ["paragraph", "image", "paragraph"]


def test_attachments_become_images_and_library_documents(imported):
    """Images in bodies point at imported images; a link to an uploaded PDF is a document link."""
    assert CampaignImage.objects.count() == 2
    court = CampaignImage.objects.get(title="Court steps")
    assert (court.width, court.height) == (320, 200)
    hearing = _update("hearing-postponed-again")
    image = hearing.body[1].value
    assert image["image"] == court
    assert image["caption"] == "The court building, March 2022"
    assert image["alt_text"] == "Steps of the city court in Almaty"  # from the attachment
    document = LibraryDocument.objects.get()
    assert document.title == "UN opinion No. 12/2023"
    assert document.media_type == "application/pdf"
    assert document.page_count == 1
    findings = _update("un-working-group-findings")
    assert f'<a linktype="document" id="{document.pk}">' in findings.body[0].value.source
    gallery = _update("how-you-can-help")
    assert [b.value["image"].title for b in gallery.body if b.block_type == "image"] == [
        "Court steps",
        "Family photo",
    ]


def test_cyrillic_titles_slugs_and_tags_are_intact(imported):
    russian = UpdatePage.objects.get(title="Суд отклонил жалобу защиты")
    assert russian.slug == "суд-отклонил-жалобу-защиты"
    assert "Апелляционный суд отклонил жалобу защиты [1]." in russian.body[0].value.source
    # No excerpt: no summary; lists show the opening, without its reference marks.
    assert russian.summary == ""
    assert russian.teaser == "Апелляционный суд отклонил жалобу защиты."
    kazakh = UpdatePage.objects.get(title="Қамаудағы күндер: не істеуге болады")
    assert kazakh.slug == "қамаудағы-күндер-не-істеуге-болады"
    assert kazakh.summary == "Қолдау көрсетудің үш жолы."
    # Tag addresses are /updates/tag/<ascii slug>/.
    assert Tag.objects.get(name="Қолдау").slug == "qoldau"
    assert Tag.objects.get(name="Суд").slug == "sud"


def test_pages_become_standard_pages_under_their_parents(imported):
    about = StandardPage.objects.get(slug="about")
    team = StandardPage.objects.get(slug="team")
    assert about.get_parent().pk == imported["home"].pk
    assert team.get_parent().pk == about.pk
    assert team.url == "/about/team/"
    privacy = StandardPage.objects.get(slug="privacy-policy")
    assert not privacy.live  # a draft in WordPress


def test_hostile_markup_is_removed_before_storing(imported):
    """<script>, on… handlers, javascript: links and <style> never reach the database."""
    statement = _update("statement-from-the-family")
    stored = str(statement.body.raw_data)
    for payload in ("<script", "alert", "onerror", "onclick", "steal", "javascript:", "<style"):
        assert payload not in stored, payload
    assert '<a href="https://example.org/letters">read the letters</a>' in stored
    assert "removed <script>" in imported["output"]


def test_report_counts_comments_and_explains_changes(imported):
    output = imported["output"]
    assert "4 comments not imported" in output
    assert "shortcode [contact-form-7] removed" in output
    assert "shortcode [highlight] removed, its text kept" in output
    assert "0 updated" in output


def test_wxr_1_1_imports_the_same_content(home, updates_index):
    """The 1.1 export (no modified dates) gives the same updates, with no 'updated' dates."""
    run_import(FIXTURES / "wxr-1.1.xml", uploads=str(UPLOADS))
    assert UpdatePage.objects.count() == 9
    assert not UpdatePage.objects.filter(updated_at__isnull=False).exists()
    findings = _update("un-working-group-findings")
    assert findings.references.count() == 2
    assert UpdateIndexPage.objects.get().pinned_update == findings


def test_without_uploads_images_are_left_out_and_reported(home, updates_index):
    output = run_import(EXPORT)
    assert CampaignImage.objects.count() == 0
    assert LibraryDocument.objects.count() == 0
    assert "no --uploads folder given" in output
    assert "was not imported (give --uploads)" in output
    hearing = _update("hearing-postponed-again")
    assert _body_types(hearing) == ["paragraph"]


def test_progress_is_reported_item_by_item(home, updates_index):
    calls = []
    services.wordpress_import(
        path=EXPORT, uploads=UPLOADS, progress=lambda done, total, title: calls.append(done)
    )
    assert calls[0] == 0
    assert calls[-1] == len(calls) - 1 == 16  # every post, page and attachment


@pytest.mark.parametrize("fixture", ["wxr-1.2.xml", "wxr-1.1.xml"])
def test_every_item_is_mapped_once(home, updates_index, fixture):
    """9 posts, 4 pages (WordPress's own sample and privacy pages among them), 3 attachments."""
    run_import(FIXTURES / fixture, uploads=str(UPLOADS))
    items = WordPressItem.objects.all()
    assert items.count() == 16
    assert {i.kind for i in items} == {"post", "page", "attachment"}
    assert all(i.target is not None for i in items)
    assert all(len(i.content_hash) == 64 for i in items)
