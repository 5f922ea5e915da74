"""Where URLs land in the copy, and how links between its files are written."""

import posixpath
from urllib.parse import quote

import pytest
from hypothesis import given
from hypothesis import strategies as st

from vigil.mirror.services.paths import relative_link, url_file
from vigil.mirror.services.rewrite import html_links_rewrite, origin_replace


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("/", "index.html"),
        ("/updates/", "updates/index.html"),
        ("/ru/updates/some-update/", "ru/updates/some-update/index.html"),
        ("/updates/feed/rss/", "updates/feed/rss/index.xml"),
        ("/kk/updates/tag/un/feed/atom/", "kk/updates/tag/un/feed/atom/index.xml"),
        ("/sitemap.xml", "sitemap.xml"),
        ("/static/css/vigil.css", "static/css/vigil.css"),
        ("/cases/k/case.json", "cases/k/case.json"),
        ("/documents/4/opinion.pdf", "documents/4/opinion.pdf"),
        ("/ru", "ru/index.html"),
        ("/updates/%D0%B4%D0%B0/", "updates/да/index.html"),
        ("/support/?type=un&year=2022", "support/index-type_un_year_2022.html"),
    ],
)
def test_url_file(url, expected):
    """Directory-style URLs get an index file (XML for feeds); files keep their names."""
    assert url_file(url) == expected


def test_relative_link_between_depths():
    """Links climb out of the current folder and name the file, so file:// works."""
    assert (
        relative_link(from_file="ru/updates/a/index.html", to_file="ru/index.html")
        == "../../index.html"
    )
    assert (
        relative_link(from_file="index.html", to_file="updates/index.html") == "updates/index.html"
    )
    assert relative_link(from_file="404.html", to_file="static/css/v.css") == "static/css/v.css"
    assert relative_link(from_file="index.html", to_file="updates/да/index.html") == (
        "updates/%D0%B4%D0%B0/index.html"
    )


def test_html_rewrite_keeps_absolute_and_fragment_links():
    """Root-relative links become relative files; absolute ones and fragments stay."""
    text, found = html_links_rewrite(
        '<a href="/updates/#latest">U</a> <link rel="canonical" href="https://x.org/a/">'
        '<img src="/media/a.png" srcset="/media/a.png 1x, /media/b.png 2x">'
        '<a href="#main">skip</a> <a href="//cdn.example/x">cdn</a>'
        '<a href="/support/?type=un&amp;year=2022">f</a>',
        file_path="ru/index.html",
    )
    assert 'href="../updates/index.html#latest"' in text
    assert 'href="https://x.org/a/"' in text
    assert 'src="../media/a.png"' in text
    assert 'srcset="../media/a.png 1x, ../media/b.png 2x"' in text
    assert 'href="#main"' in text and 'href="//cdn.example/x"' in text
    assert 'href="../support/index-type_un_year_2022.html"' in text
    assert found == {"/updates/", "/media/a.png", "/media/b.png", "/support/?type=un&year=2022"}


def test_html_rewrite_makes_the_same_link_relative_to_each_file():
    """A link every page carries (the menu's, a stylesheet) is rewritten for the file it
    is in, however many files carried it before."""
    html = '<a href="/updates/?tag=un#list">U</a><link href="/static/css/v.css">'
    for file_path, expected in [
        ("index.html", ('href="updates/index-tag_un.html#list"', 'href="static/css/v.css"')),
        ("ru/updates/a/index.html", ('href="../../../updates/index-tag_un.html#list"',
                                     'href="../../../static/css/v.css"')),
        ("updates/index.html", ('href="index-tag_un.html#list"', 'href="../static/css/v.css"')),
    ]:  # fmt: skip
        text, found = html_links_rewrite(html, file_path=file_path)
        assert all(link in text for link in expected), (file_path, text)
        assert found == {"/updates/?tag=un", "/static/css/v.css"}


def test_origin_replace_only_with_a_base_url():
    """Feeds and sitemaps point at the copy's own address when it has one."""
    xml = "<loc>http://live.org/updates/</loc>"
    assert origin_replace(xml, main_url="http://live.org", base_url="") == xml
    assert origin_replace(xml, main_url="http://live.org", base_url="https://m.net/c") == (
        "<loc>https://m.net/c/updates/</loc>"
    )


_SEGMENT = st.sampled_from(["updates", "ru", "index.html", "tag", "да", "a b", "static", "css"])
_FILE = st.lists(_SEGMENT, min_size=1, max_size=5).map("/".join)


@given(from_file=_FILE, to_file=_FILE)
def test_relative_link_agrees_with_relpath(from_file, to_file):
    """The quick relative link is posixpath.relpath's, URL-quoted, for any two files."""
    start = posixpath.dirname(from_file) or "."
    expected = quote(posixpath.relpath(to_file, start=start), safe="/._-~")
    assert relative_link(from_file=from_file, to_file=to_file) == expected
