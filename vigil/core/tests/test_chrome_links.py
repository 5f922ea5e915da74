"""Every page names the case record, the petition, the support register and the library
in its header (one tap away), and the share links are plain, well-formed addresses."""

from html.parser import HTMLParser
from urllib.parse import parse_qs, urlsplit

import pytest

UPDATE = "/updates/convicted-and-sentenced-to-18-years/"
KEY_PAGES = ["/cases/karim-massimov/", "/petition/", "/support/", "/library/"]


class _Links(HTMLParser):
    """The links inside elements of one class, in order."""

    def __init__(self, container_class: str):
        super().__init__()
        self.container_class, self.depth, self.links = container_class, 0, []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if self.depth:
            self.depth += 1
            if tag == "a":
                self.links.append(attrs["href"])
        elif self.container_class in (attrs.get("class") or "").split():
            self.depth = 1

    def handle_endtag(self, tag):
        if self.depth:
            self.depth -= 1


def _links(html: str, container_class: str) -> list[str]:
    parser = _Links(container_class)
    parser.feed(html)
    return parser.links


@pytest.mark.parametrize("language", ["en", "ru", "kk"])
@pytest.mark.parametrize(
    "path", ["/", UPDATE, "/library/", "/support/", "/search/?q=Massimov", "/no-such-page/"]
)
def test_the_key_pages_are_in_every_header(demo, client, language, path):
    prefix = "" if language == "en" else f"/{language}"
    response = client.get(prefix + path)
    assert response.status_code in (200, 404)
    links = _links(response.content.decode(), "key-nav")
    assert links == [prefix + key for key in KEY_PAGES]


def test_share_links_name_the_page_and_load_nothing_from_elsewhere(demo, client):
    html = client.get(UPDATE).content.decode()
    # The page's own full address, as it names itself to search engines.
    page_url = html.split('<link rel="canonical" href="')[1].split('"')[0]
    assert page_url.endswith(UPDATE)
    links = _links(html, "share__links")
    hosts = {urlsplit(link).netloc or urlsplit(link).scheme for link in links}
    assert hosts == {"wa.me", "t.me", "www.facebook.com", "x.com", "vk.com", "mailto"}
    for link in links:
        parts = urlsplit(link)
        assert parts.scheme in ("https", "mailto"), link
        query = parse_qs(parts.query)
        named = [value for values in query.values() for value in values]
        assert any(page_url in value for value in named), link
    assert f'value="{page_url}" readonly' in html, "a field to copy the link without JavaScript"
    assert "/static/js/share." in html, "the copy button's script is the site's own"


@pytest.mark.parametrize("language", ["ru", "kk"])
def test_pages_without_words_of_their_own_describe_the_site(demo, client, language):
    """The campaign's tagline is written in English only: elsewhere forms, search and the
    other pages that are not Wagtail's still describe themselves (search engines,
    messengers' previews)."""
    for path in ("/act/subscribe/", "/mirrors/", "/partners/", "/press/"):
        html = client.get(f"/{language}{path}").content.decode()
        description = html.split('<meta name="description" content="')[1].split('"')[0]
        assert len(description) > 40, (path, description)
