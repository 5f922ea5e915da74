"""The nginx front (`manage.py nginx_conf`) in front of the production server.

One Debian nginx with the generated conf and one `manage.py serve` on a copy of the demo
serve the whole module; its last test stops the app.
"""

import concurrent.futures
import contextlib
import gzip
import os
import re
import signal
import urllib.request
from dataclasses import dataclass
from urllib.error import HTTPError

import brotli
import pytest

from vigil.testing.live_site import LiveSite, run_base, static_collect
from vigil.testing.servers import BROTLI_STATIC, free_port, group_stop, nginx_start

RENAME = (
    "from vigil.pages.models import StandardPage\n"
    "page = StandardPage.objects.get(slug='about', locale__language_code='en')\n"
    "page.title = 'About this campaign, renamed for nginx'\n"
    "page.save_revision().publish()\n"
)
# nginx makes its own ETag (time and size, in hex); the app's is a digest of the body.
NGINX_ETAG = re.compile(r'"[0-9a-f]+-[0-9a-f]+"')
# Headers each server makes its own way: the rest must be the same from both.
OWN_HEADERS = {"date", "server", "etag", "x-vigil-cache", "connection", "accept-ranges"}


@dataclass
class Answer:
    status: int
    headers: dict
    body: bytes

    @property
    def from_nginx(self) -> bool:
        return bool(NGINX_ETAG.fullmatch(self.headers.get("etag", "")))


def _get(url: str, headers: dict | None = None) -> Answer:
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            status, raw, body = response.status, response.headers, response.read()
    except HTTPError as error:
        status, raw, body = error.code, error.headers, error.read()
    # A header sent twice is kept twice (", "-joined), so a doubled Vary shows.
    return Answer(status, {k.lower(): ", ".join(raw.get_all(k)) for k in raw}, body)


def _comparable(headers: dict) -> dict:
    same = {k: v for k, v in headers.items() if k not in OWN_HEADERS}
    policy = same.get("content-security-policy", "")
    same["content-security-policy"] = sorted(p.strip() for p in policy.split(";"))
    return same


@dataclass
class Front:
    url: str
    site: LiveSite


@pytest.fixture(scope="module")
def front(site_template, tmp_path_factory):
    base = tmp_path_factory.mktemp("nginx-front")
    site = LiveSite(
        site_template,
        base / "site",
        smtp_port=free_port(),  # nothing here sends mail
        static_root=static_collect(run_base(tmp_path_factory)),
    )
    site.env.update({"BEHIND_PROXY": "true", "PROXY_COUNT": "1"})
    site.start()
    port = free_port()
    conf = site.manage(
        "nginx_conf",
        *("--listen", f"127.0.0.1:{port}", "--app", f"127.0.0.1:{site.port}"),
        *("--server-name", "127.0.0.1", "--error-pages", str(base / "errors")),
        *("--burst", "20"),
    )
    (base / "nginx").mkdir()
    nginx = nginx_start(work=base / "nginx", server=conf, port=port, main=BROTLI_STATIC)
    try:
        yield Front(url=f"http://127.0.0.1:{port}", site=site)
    finally:
        group_stop(nginx, timeout=10)
        site.stop()


@contextlib.contextmanager
def _app_paused(site: LiveSite):
    """The app's whole process group stopped (SIGSTOP): whatever answers is nginx alone."""
    os.killpg(site.process.pid, signal.SIGSTOP)
    try:
        yield
    finally:
        os.killpg(site.process.pid, signal.SIGCONT)


def test_a_cached_page_is_served_by_nginx_alone_with_the_apps_headers(front):
    first = _get(front.url + "/about/")
    assert first.status == 200 and not first.from_nginx
    second = _get(front.url + "/about/")
    assert second.from_nginx and second.headers["x-vigil-cache"] == "hit"
    assert second.body == first.body
    assert _comparable(second.headers) == _comparable(first.headers)
    with _app_paused(front.site):
        alone = _get(front.url + "/about/")
        br = _get(front.url + "/about/", {"Accept-Encoding": "br, gzip"})
        gz = _get(front.url + "/about/", {"Accept-Encoding": "gzip"})
    assert alone.status == 200 and alone.body == first.body
    assert br.headers["content-encoding"] == "br" and brotli.decompress(br.body) == first.body
    assert gz.headers["content-encoding"] == "gzip" and gzip.decompress(gz.body) == first.body


def test_a_publish_is_visible_through_nginx_at_once(front):
    _get(front.url + "/about/")
    assert _get(front.url + "/about/").from_nginx
    front.site.manage("shell", "-c", RENAME)
    after = _get(front.url + "/about/")
    assert after.status == 200 and not after.from_nginx
    assert b"renamed for nginx" in after.body
    again = _get(front.url + "/about/")
    assert again.from_nginx and again.body == after.body


def test_editors_and_query_strings_reach_the_app(front):
    _get(front.url + "/about/")
    assert _get(front.url + "/about/").from_nginx
    editor = _get(front.url + "/about/", {"Cookie": "sessionid=not-signed-in"})
    assert editor.status == 200 and "x-vigil-cache" not in editor.headers
    query = _get(front.url + "/about/?utm_source=x")
    assert query.status == 200 and not query.from_nginx
    assert query.headers["x-vigil-cache"] == "hit"  # the app's own hit


def test_nginx_errors_look_like_the_site(front):
    for path in ("/static/no-such-file.css", "/media/original_images/x.jpg"):
        missing = _get(front.url + path)
        assert missing.status == 404, path
        html = missing.body.decode()
        assert 'class="site-header"' in html and 'lang="en"' in html
        stylesheet = r'<link rel="stylesheet" href="/static/css/vigil\.[0-9a-f]{12}\.css"'
        assert re.search(stylesheet, html)
        assert "<script>" not in html and "style=" not in html
        assert "content-security-policy" in missing.headers


def test_with_the_app_down_cached_pages_stay_and_the_rest_is_the_sites_503(front):
    _get(front.url + "/ru/")
    cached = _get(front.url + "/ru/")
    assert cached.from_nginx
    front.site.stop()
    assert _get(front.url + "/ru/").status == 200
    down = _get(front.url + "/ru/no-such-page/")
    assert down.status == 503
    html = down.body.decode()
    assert 'lang="ru"' in html and "Временно недоступно" in html
    assert down.headers["retry-after"] == "30"


def test_too_many_uncached_requests_from_one_address_get_429(front):
    urls = [f"{front.url}/about/?n={n}" for n in range(80)]
    with concurrent.futures.ThreadPoolExecutor(8) as pool:
        answers = list(pool.map(_get, urls))
    refused = [a for a in answers if a.status == 429]
    # The app was stopped by the test before: what passes the limit gets the 503 page.
    assert refused and all(a.status in (200, 429, 503) for a in answers)
    assert b'class="site-header"' in refused[0].body
    assert b"Too many requests" in refused[0].body
