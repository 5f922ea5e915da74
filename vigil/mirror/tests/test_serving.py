"""The exported copy served by a real nginx and opened from disk in Chromium, in three languages."""

import datetime as dt
import urllib.request
from urllib.error import HTTPError

import pytest

from vigil.mirror.services import nginx_example
from vigil.testing.browser import DESKTOP, TIMEOUT_MS
from vigil.testing.servers import free_port, group_stop, nginx_start

from .helpers import main_text


@pytest.fixture(scope="module")
def nginx(exported, tmp_path_factory):
    """Debian's nginx serving the export on a loopback port, as the README's example does."""
    directory, _summary = exported
    port = free_port()
    process = nginx_start(
        work=tmp_path_factory.mktemp("nginx"),
        server=nginx_example(directory=directory, port=port),
        port=port,
    )
    yield f"http://127.0.0.1:{port}"
    group_stop(process, timeout=10)


def _get(url: str) -> tuple[int, str, str]:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return (
                response.status,
                response.headers.get("Content-Type", ""),
                response.read().decode(),
            )
    except HTTPError as error:
        return error.code, error.headers.get("Content-Type", ""), error.read().decode()


PAGES = [
    "/",
    "/ru/",
    "/kk/",
    "/updates/",
    "/ru/updates/",
    "/kk/updates/page/2/",
    "/cases/karim-massimov/",
    "/ru/cases/karim-massimov/",
    "/kk/support/",
    "/library/",
    "/ru/case-background/",
    "/updates/tag/court/",
]


def test_nginx_serves_what_the_live_site_shows(nginx, demo):
    """Each main page reads the same from nginx as from the live server, in every language."""
    for path in PAGES:
        status, content_type, mirror_html = _get(nginx + path)
        assert status == 200, path
        assert content_type.startswith("text/html"), path
        live_status, _type, live_html = _get(demo.url + path)
        assert live_status == 200, path
        assert main_text(mirror_html) == main_text(live_html), path
        assert (
            "copy of the campaign" in mirror_html
            or "копия" in mirror_html
            or path.startswith("/kk")
        )


def test_nginx_serves_feeds_sitemaps_documents_and_404(nginx, exported):
    """Feeds and sitemaps as XML, documents as files, unknown paths as the styled 404."""
    directory, _summary = exported
    status, content_type, body = _get(nginx + "/ru/updates/feed/rss/")
    assert status == 200 and "xml" in content_type and "<rss" in body
    status, content_type, body = _get(nginx + "/sitemap.xml")
    assert status == 200 and "<urlset" in body or "<sitemapindex" in body
    document = next(directory.glob("documents/*/*.pdf")).relative_to(directory).as_posix()
    with urllib.request.urlopen(f"{nginx}/{document}", timeout=10) as response:
        assert response.read(5) == b"%PDF-"
    status, _type, body = _get(nginx + "/no/such/page/")
    assert status == 404 and 'class="site-header"' in body


def _context(browser, **options):
    context = browser.new_context(viewport=DESKTOP, **options)
    context.set_default_timeout(TIMEOUT_MS)
    return context


def test_browse_from_disk_in_three_languages(browser, exported):
    """Opened as files, the copy's links, language switcher, styles and scripts all work."""
    directory, _summary = exported
    context = _context(browser)
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto((directory / "index.html").as_uri())
    assert page.locator("html").get_attribute("lang") == "en"
    assert (
        page.evaluate("getComputedStyle(document.querySelector('.site-header')).borderBottomStyle")
        != ""
    )
    page.click(".language-switcher a[hreflang=ru]")
    assert page.locator("html").get_attribute("lang") == "ru"
    page.click(".site-nav a >> nth=0")
    assert page.url.startswith("file://") and page.url.endswith("/index.html")
    page.click(".language-switcher a[hreflang=kk]")
    assert page.locator("html").get_attribute("lang") == "kk"
    page.goto((directory / "kk/updates/index.html").as_uri())
    page.click("main article a >> nth=0")
    assert page.locator("main h1").count() == 1
    assert "404" not in page.title()
    assert errors == []
    context.close()


@pytest.mark.parametrize("where", ["disk", "nginx"])
def test_search_works_offline(browser, exported, nginx, where):
    """The search page finds pages from the copy's own index, from disk and from nginx."""
    directory, _summary = exported
    context = _context(browser)
    page = context.new_page()
    start = (directory / "ru/index.html").as_uri() if where == "disk" else nginx + "/ru/"
    page.goto(start)
    page.fill("#site-search-q", "Масимов")
    page.press("#site-search-q", "Enter")
    page.wait_for_selector("#mirror-search-results article")
    assert page.locator(".mirror-search__nojs").is_hidden()
    assert "Масимов" in page.locator("#mirror-search-status").inner_text()
    page.click("#mirror-search-results article a >> nth=0")
    assert page.locator("html").get_attribute("lang") == "ru"
    assert "404" not in page.title()
    context.close()


def test_search_without_javascript_explains_and_links_to_the_live_site(browser, exported):
    """With scripts off, the copy's search page says why and where to search instead."""
    directory, _summary = exported
    context = _context(browser, java_script_enabled=False)
    page = context.new_page()
    page.goto((directory / "search/index.html").as_uri() + "?q=Massimov")
    explanation = page.locator(".mirror-search__nojs")
    assert explanation.is_visible()
    assert explanation.locator("a").get_attribute("href").startswith("http://")
    context.close()


def test_day_count_is_right_on_the_day_the_copy_is_read(browser, exported):
    """A copy read ten days after it was made counts ten more days detained."""
    directory, _summary = exported
    context = _context(browser)
    page = context.new_page()
    page.goto((directory / "cases/karim-massimov/index.html").as_uri())
    made = int(
        page.locator(".day-count__number")
        .first.inner_text()
        .replace(",", "")
        .replace("\u202f", "")
        .replace("\xa0", "")
    )
    later = dt.datetime.now(dt.UTC) + dt.timedelta(days=10)
    page.clock.install(time=later)
    page.reload()
    page.wait_for_function(
        "n => document.querySelector('.day-count__number')"
        ".textContent.replace(/\\D/g, '') == String(n)",
        arg=made + 10,
    )
    context.close()
