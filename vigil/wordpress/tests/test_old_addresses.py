"""The old site's archive, feed, author and resized-image addresses lead to Vigil's pages."""

import shutil

import pytest
from taggit.models import Tag

from vigil.images.models import CampaignImage
from vigil.news.models import UpdatePage

from .helpers import UPLOADS, run_import
from .wxr_builder import export_file, item


@pytest.fixture
def export(tmp_path):
    uploads = tmp_path / "uploads"
    shutil.copytree(UPLOADS / "2022", uploads / "2022")
    path = export_file(
        tmp_path,
        item(
            wp_id=4,
            post_type="attachment",
            status="inherit",
            title="Court steps",
            slug="court-steps",
            attachment="2022/03/court-steps.png",
        ),
        item(
            wp_id=51,
            title="Hearing moved",
            slug="hearing-moved",
            content="<p>The hearing was moved.</p>",
            tags=(("court", "Court"), ("%d0%a1%d1%83%d0%b4", "Суд")),
            categories=(("news", "News"),),
        ),
        item(
            wp_id=52,
            title="Letters",
            slug="letters",
            date="2023-05-02 09:00:00",
            author="dana",
            content="<p>Write to him.</p>",
            categories=(("uncategorized", "Uncategorized"),),
        ),
    )
    return path, uploads


@pytest.fixture
def imported(home, updates_index, export):
    path, uploads = export
    run_import(path, uploads=str(uploads))
    return path


def _targets():
    court = Tag.objects.get(name="Court")
    sud = Tag.objects.get(name="Суд")
    news = Tag.objects.get(name="News")
    return {
        "/feed/": "/updates/feed/rss/",
        "/feed/rss2/": "/updates/feed/rss/",
        "/feed/atom/": "/updates/feed/atom/",
        "/comments/feed/": "/updates/feed/rss/",
        "/tag/court/": f"/updates/tag/{court.slug}/",
        "/tag/%D0%A1%D1%83%D0%B4/": f"/updates/tag/{sud.slug}/",
        "/tag/court/feed/": f"/updates/tag/{court.slug}/feed/rss/",
        "/category/news/": f"/updates/tag/{news.slug}/",
        "/category/uncategorized/": "/updates/",
        "/2022/": "/updates/year/2022/",
        "/2022/03/": "/updates/year/2022/",
        "/2023/05/": "/updates/year/2023/",
        "/author/editor/": "/updates/",
        "/author/dana/": "/updates/",
        "/index.php?p=51": UpdatePage.objects.get(slug="hearing-moved").url,
        "/index.php?p=52&utm_source=mail": UpdatePage.objects.get(slug="letters").url,
        "/wp-content/uploads/2022/03/court-steps-300x188.png": (
            CampaignImage.objects.get().get_rendition("original").url
        ),
        "/wp-content/uploads/2022/03/court-steps-1024x640.png": (
            CampaignImage.objects.get().get_rendition("original").url
        ),
    }


def test_old_addresses_redirect_permanently_to_their_closest_page(client, imported):
    for old, new in _targets().items():
        response = client.get(old)
        assert response.status_code == 301, old
        assert response["Location"] == new, old
        assert client.get(new).status_code == 200, new


@pytest.mark.parametrize(
    "old",
    [
        "/tag/no-such-tag/",
        "/category/no-such-category/",
        "/2019/",  # no post from that year
        "/2022/13/",
        "/author/nobody/",
        "/wp-content/uploads/2022/03/not-imported-300x188.png",
    ],
)
def test_addresses_the_old_site_did_not_have_stay_unknown(client, imported, old):
    assert client.get(old).status_code == 404


def test_nothing_redirects_before_an_import(client, home, updates_index):
    for old in ("/feed/", "/tag/court/", "/2022/", "/author/editor/", "/index.php?p=51"):
        assert client.get(old).status_code in (200, 404), old
        assert client.get(old).status_code != 301


def test_a_second_import_adds_no_redirect(imported, export):
    path, uploads = export
    output = run_import(path, uploads=str(uploads))
    assert "0 redirects added" in output
