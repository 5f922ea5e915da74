"""Nothing an author wrote is cut silently: it is stored whole, or what a field cannot hold
is written out in the report."""

from vigil.news.models import UpdatePage
from vigil.wordpress.services import content_convert, wxr_parse
from vigil.wordpress.services.content import AttachmentIndex

from .helpers import BODIES, PHOTO, run_import
from .test_reference_sections import LONG_TITLE


def _convert(content: str):
    return content_convert(
        content=content, attachments=AttachmentIndex(attachments=[PHOTO], available={4}), post_id=1
    )


def _post(wp_id: int):
    return next(item for item in wxr_parse(path=BODIES).items if item.wp_id == wp_id)


def test_long_reference_title_is_stored_whole(home, updates_index):
    """531 characters: the field used to keep 300 and drop the rest mid-word."""
    run_import(BODIES)
    update = UpdatePage.objects.get(slug="what-the-court-file-shows")
    seventh = update.references.get(sort_order=6)
    assert seventh.title == LONG_TITLE
    assert len(seventh.title) > 500


def test_post_fields_longer_than_vigil_s_are_cut_at_a_word_and_reported(home, updates_index):
    post = _post(110)
    output = run_import(BODIES)
    update = UpdatePage.objects.get(slug="eighteen-months-without-a-verdict")
    assert len(update.title) <= 255 and post.title.startswith(update.title)
    rest = post.title[len(update.title) :].strip()
    assert rest.startswith("Detention asked")  # cut between words, not inside one
    assert f"the title is longer than 255 characters; not stored: {rest}" in output
    assert len(update.summary) <= 400 and post.excerpt.startswith(update.summary)
    rest = post.excerpt[len(update.summary) :].strip()
    assert f"the excerpt is longer than 400 characters; not stored: {rest}" in output
    assert "the byline is longer than 120 characters; not stored: abroad" in output
    tag = update.tags.get()
    assert f"a tag is longer than 100 characters; not stored: {_cut_rest(post, tag.name)}" in output


def _cut_rest(post, kept: str) -> str:
    full = next(term.name for term in post.terms if term.domain == "post_tag")
    assert full.startswith(kept) and full != kept
    return full[len(kept) :].strip()


def test_long_heading_becomes_a_bold_paragraph_with_every_word():
    body = _convert(_post(110).content)
    assert [block["type"] for block in body.blocks] == ["paragraph", "paragraph"]
    assert body.blocks[1]["value"].startswith("<p><b>What the prosecutor's office wrote")
    assert "never shown to Karim Massimov or to his lawyers</b></p>" in body.blocks[1]["value"]
    assert any(note.startswith("a heading longer than 200 characters") for note in body.notes)


def test_reference_title_longer_than_the_field_keeps_the_rest_in_the_report():
    words = " ".join(f"word{n}" for n in range(200))  # about 1,400 characters
    body = _convert(f"<p>Claim [1].</p><h2>References</h2><ol><li>{words}</li></ol>")
    title = body.references[0]["title"]
    assert len(title) <= 1000 and words.startswith(title)
    assert words[len(title)] == " "  # cut between words, not inside one
    rest = words[len(title) :].strip()
    assert f"the title of reference 1 is longer than 1000 characters; not stored: {rest}" in (
        body.notes
    )


def test_overlong_reference_address_is_kept_in_the_title():
    url = "https://example.org/?" + "a" * 1200
    body = _convert(f'<h2>Sources</h2><ol><li><a href="{url}">Court file</a></li></ol>')
    assert body.references == [{"title": "Court file", "publisher": "", "url": ""}]
    assert (
        f"reference 1: its address is longer than 1000 characters and was not stored: {url}"
        in body.notes
    )


def test_quote_attribution_is_never_cut():
    attribution = "Statement of " + "the defence team and the family, " * 10
    body = _convert(f"<blockquote><p>We will appeal.</p><cite>{attribution}</cite></blockquote>")
    assert body.blocks[0]["value"]["attribution"] == " ".join(attribution.split())


def test_long_image_caption_and_alt_text_are_reported():
    caption = "The court building " * 30
    alt = "Steps of the city court " * 20
    body = _convert(
        f'<figure><img class="wp-image-4" src="photo.png" alt="{alt}">'
        f"<figcaption>{caption}</figcaption></figure>"
    )
    value = body.blocks[0]["value"]
    assert len(value["caption"]) <= 400 and len(value["alt_text"]) <= 300
    assert any(note.startswith("an image's caption is longer than 400") for note in body.notes)
    assert any(
        note.startswith("an image's alternative text is longer than 300") for note in body.notes
    )
