"""WordPress markup rules on their own: wpautop, shortcodes, block comments, sanitising."""

from vigil.wordpress.services import content_convert, html_autop, shortcodes_expand
from vigil.wordpress.services.content import AttachmentIndex, rich_text_clean

from .helpers import PHOTO


def _index(available=True) -> AttachmentIndex:
    return AttachmentIndex(attachments=[PHOTO], available={4} if available else set())


def test_autop_makes_paragraphs_and_line_breaks():
    html = html_autop(text="First line\nsecond line\n\nNew paragraph\n\n\n<h2>Title</h2>\nAfter")
    assert html.startswith("<p>First line<br />\nsecond line</p>\n<p>New paragraph</p>\n<h2>")
    assert "<p>After</p>" in html
    assert "<p><h2>" not in html


def test_autop_leaves_lists_and_pre_alone():
    html = html_autop(text="<ul>\n\t<li>one</li>\n\t<li>two</li>\n</ul>\n<pre>a\n\nb</pre>")
    assert "<p><li>" not in html and "<li>one</li>" in html
    assert "<pre>a\n\nb</pre>" in html


def test_brackets_that_are_not_shortcodes_stay_as_typed():
    """ "[sic]", reference markers "[1]" and Vigil's "[[days]]" are text, not shortcodes."""
    notes = []
    text = "He said [sic] it [1] after [[days]] days."
    assert shortcodes_expand(text=text, attachments=_index(), post_id=1, notes=notes) == text
    assert notes == []


def test_escaped_shortcode_is_literal_text():
    notes = []
    out = shortcodes_expand(
        text="Type [[gallery]] for a gallery.", attachments=_index(), post_id=1, notes=notes
    )
    assert out == "Type [gallery] for a gallery."


def test_caption_shortcode_becomes_image_with_caption():
    body = content_convert(
        content='[caption id="attachment_4" width="300"]<img class="wp-image-4" src="x.png" />'
        " A photo[/caption]",
        attachments=_index(),
        post_id=1,
    )
    assert body.blocks == [
        {
            "type": "image",
            "value": {"image": "wp-attachment:4", "alt_text": "A photo", "caption": "A photo"},
        }
    ]


def test_resized_copy_url_finds_the_original():
    body = content_convert(
        content='<img src="http://old.example.org/wp-content/uploads/2022/03/photo-300x200.png"'
        ' alt="A">',
        attachments=_index(),
        post_id=1,
    )
    assert body.blocks[0]["value"]["image"] == "wp-attachment:4"


def test_unknown_shortcodes_never_stay_as_text():
    body = content_convert(
        content='Before [newsletter id="3"] middle [box style="x"]inside[/box] after',
        attachments=_index(),
        post_id=1,
    )
    text = body.blocks[0]["value"]
    assert text == "<p>Before  middle inside after</p>"
    assert "shortcode [newsletter] removed" in body.notes


def test_block_comments_are_stripped_and_embed_blocks_become_link_cards():
    body = content_convert(
        content=(
            '<!-- wp:embed {"url":"https://vimeo.com/1"} -->\n<figure class="wp-block-embed">'
            '<div class="wp-block-embed__wrapper">\nhttps://vimeo.com/1\n</div></figure>\n'
            "<!-- /wp:embed -->\n<!-- wp:paragraph -->\n<p>Text</p>\n<!-- /wp:paragraph -->"
        ),
        attachments=_index(),
        post_id=1,
    )
    assert body.blocks == [
        {
            "type": "embed",
            "value": {"url": "https://vimeo.com/1", "title": "vimeo.com", "description": ""},
        },
        {"type": "paragraph", "value": "<p>Text</p>"},
    ]


def test_reference_heading_over_a_bulleted_list_gives_references():
    """Bullets or numbers: under "Sources" each item is a source (numbered in Vigil)."""
    body = content_convert(
        content="<h2>Sources</h2><ul><li>One</li></ul>", attachments=_index(), post_id=1
    )
    assert body.references == [{"title": "One", "publisher": "", "url": ""}]
    assert body.blocks == []


def test_footnote_superscripts_become_reference_markers():
    body = content_convert(
        content='<p>Claim<sup><a href="#fn1">1</a></sup>.</p>'
        "<h2>Ссылки</h2><ol><li>Source</li></ol>",
        attachments=_index(),
        post_id=1,
    )
    assert body.blocks[0]["value"] == "<p>Claim[1].</p>"
    assert body.references == [{"title": "Source", "publisher": "", "url": ""}]


def test_rich_text_keeps_only_what_the_editor_can_make():
    cleaned = rich_text_clean(
        html_text='<p onclick="x()">a <b>b</b> <span style="x">c</span><img src=x onerror=y>'
        '<a href="javascript:z()">d</a></p><h2>e</h2><script>alert(1)</script>'
    )
    assert cleaned == "<p>a <b>b</b> c<a>d</a></p>e"
