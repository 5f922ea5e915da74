import pytest
from django.template.loader import render_to_string


def test_robots_txt_names_the_sitemap_and_hides_the_admin(client, home):
    """robots.txt keeps crawlers out of the admin and search, and points at the sitemap."""
    response = client.get("/robots.txt")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    body = response.content.decode()
    assert "Disallow: /admin/" in body
    assert "Sitemap: http://testserver/sitemap.xml" in body


def test_favicon_is_served(client, db):
    response = client.get("/favicon.ico")
    assert response.status_code == 200
    assert response["Content-Type"] == "image/x-icon"
    assert b"".join(response.streaming_content)[:4] == b"\x00\x00\x01\x00"


def test_unknown_address_gives_the_site_styled_404(client, home):
    """A missing page is a 404 in the site's layout, with a way back home."""
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    content = response.content.decode()
    assert "Page not found" in content
    assert 'class="site-header"' in content
    assert 'href="/"' in content


def test_a_russian_404_leads_to_the_russian_home_page(client, home):
    """Readers of /ru/ who mistype an address are sent back to their own language."""
    from wagtail.models import Locale

    russian = Locale.objects.get_or_create(language_code="ru")[0]
    home.copy_for_translation(russian).save_revision().publish()
    content = client.get("/ru/no-such-page/").content.decode()
    assert '<a href="/ru/">' in content
    assert '<a href="/">' not in content


def test_500_page_renders_without_a_database(db, django_assert_num_queries):
    """The error page must not fail again: no queries, no request context."""
    with django_assert_num_queries(0):
        html = render_to_string("500.html")
    assert "Something went wrong" in html
    assert "<script" not in html


@pytest.mark.parametrize("method", ["post", "put", "delete"])
def test_robots_txt_refuses_other_methods(client, db, method):
    assert getattr(client, method)("/robots.txt").status_code == 405
