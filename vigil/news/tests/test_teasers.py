"""The teaser an update without a summary shows in lists: the opening of its text."""

from vigil.news.teasers import body_opening, teaser_choose, text_shorten


def _paragraph(html: str) -> dict:
    return {"type": "paragraph", "value": html, "id": "x"}


def test_the_opening_is_the_first_paragraph_as_plain_text():
    body = [
        {"type": "heading", "value": {"text": "Not this", "level": "h2"}, "id": "h"},
        _paragraph("<p>The court <b>met</b> again<br/>today [1].</p><p>Second paragraph.</p>"),
    ]
    assert body_opening(body_data=body) == "The court met again today."


def test_a_paragraph_with_the_day_count_is_passed_over():
    """The count changes every day; a stored teaser would be wrong the next day."""
    body = [_paragraph("<p>Detained for [[days]] days.</p><p>The appeal is on Monday.</p>")]
    assert body_opening(body_data=body) == "The appeal is on Monday."


def test_a_body_without_text_has_no_opening():
    assert body_opening(body_data=[]) == ""
    assert body_opening(body_data=[{"type": "embed", "value": {"url": "x"}, "id": "e"}]) == ""


def test_long_text_is_cut_at_a_word_with_an_ellipsis():
    text = "word " * 100
    short = text_shorten(text=text.strip(), length=20)
    assert short == "word word word word…"


def test_the_summary_wins_over_the_opening():
    assert teaser_choose(summary="Summary.", opening="Opening.") == "Summary."
    assert teaser_choose(summary="", opening="Opening.") == "Opening."
