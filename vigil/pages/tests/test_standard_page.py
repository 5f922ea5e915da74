import xml.etree.ElementTree as ET

from vigil.news.tests.factories import UpdatePageFactory
from vigil.pages.models import StandardPageReference
from vigil.pages.tests.factories import StandardPageFactory


def test_standard_page_renders_blocks_and_references(client, home):
    page = StandardPageFactory(
        parent=home,
        title="Case background",
        body=[{"type": "paragraph", "value": "<p>He was detained [1].</p>"}],
    )
    StandardPageReference.objects.create(
        page=page, sort_order=0, title="Press release", publisher="KNB"
    )
    content = client.get("/case-background/").content.decode()
    assert "<h1>Case background</h1>" in content
    assert 'href="#ref-1"' in content
    assert '<li id="ref-1">' in content


def test_sitemap_lists_every_public_page_and_no_draft(client, home, updates_index):
    """Every live page is in /sitemap.xml, with tag and year listings; drafts are not."""
    published = UpdatePageFactory(parent=updates_index, title="Public")
    published.tags.add("Court")
    published.save_revision().publish()
    draft = UpdatePageFactory(parent=updates_index, title="Draft", slug="draft-update")
    draft.unpublish()
    background = StandardPageFactory(parent=home, slug="case-background")
    response = client.get("/sitemap.xml")
    assert response.status_code == 200
    root = ET.fromstring(response.content)
    ns = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}
    locations = {loc.text for loc in root.findall("s:url/s:loc", ns)}
    base = "http://testserver"
    assert {
        f"{base}/",
        f"{base}/updates/",
        f"{base}{published.url}",
        f"{base}{background.url}",
        f"{base}/updates/tag/court/",
        f"{base}/updates/year/2022/",
    } <= locations
    assert f"{base}/updates/draft-update/" not in locations
