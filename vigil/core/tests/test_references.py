from vigil.core.services import body_link_references, html_sanitise


def test_markers_become_footnote_links_with_one_anchor_per_citation():
    """Each [n] becomes a link to #ref-n and gets its own anchor for the back-link."""
    cited = body_link_references(html="<p>First [1], again [1], then [2].</p>", reference_count=2)
    assert cited.citations == {1: ["cite-1-1", "cite-1-2"], 2: ["cite-2-1"]}
    assert 'href="#ref-1" id="cite-1-1"' in cited.html
    assert 'href="#ref-1" id="cite-1-2"' in cited.html
    assert 'href="#ref-2" id="cite-2-1"' in cited.html


def test_markers_beyond_the_references_stay_as_typed():
    """A [3] with only two references, or a year in brackets, is not turned into a link."""
    cited = body_link_references(html="<p>See [3] and [2022].</p>", reference_count=2)
    assert cited.html == "<p>See [3] and [2022].</p>"
    assert cited.citations == {}


def test_markers_inside_links_and_attributes_are_left_alone():
    """Only text outside tags and outside links is rewritten."""
    html = '<p><a href="https://example.org/[1]">link [1]</a> text [1]</p>'
    cited = body_link_references(html=html, reference_count=1)
    assert '<a href="https://example.org/[1]">link [1]</a>' in cited.html
    assert cited.citations == {1: ["cite-1-1"]}


def test_zero_is_not_a_reference_number():
    cited = body_link_references(html="<p>[0]</p>", reference_count=3)
    assert cited.html == "<p>[0]</p>"


def test_sanitise_removes_scripts_handlers_and_unsafe_links():
    """Rich text from loaders keeps only what the editor can produce."""
    dirty = (
        '<p onclick="x()">Hi <script>alert(1)</script><a href="javascript:alert(1)">bad</a>'
        '<a href="https://ok.example/" target="_blank">ok</a><img src=x onerror=y>'
        "<!-- wp:paragraph --></p>"
    )
    clean = html_sanitise(html=dirty)
    assert "script" not in clean
    assert "onclick" not in clean
    assert "javascript:" not in clean
    assert "<img" not in clean
    assert "wp:paragraph" not in clean
    assert '<a href="https://ok.example/">ok</a>' in clean


def test_sanitise_keeps_lists_and_emphasis():
    html = "<ul><li><b>a</b><ul><li><i>b</i></li></ul></li></ul>"
    assert html_sanitise(html=html) == html
