"""The page cache in the production server: two worker processes, changes made elsewhere."""

import re
import sqlite3
import urllib.request

import pytest

from vigil.testing.live_site import HTTP_TIMEOUT, LiveSite, run_base, static_collect
from vigil.testing.servers import free_port

RENAME = (
    "from vigil.pages.models import StandardPage\n"
    "page = StandardPage.objects.get(slug='about', locale__language_code='en')\n"
    "page.title = 'About this campaign, renamed'\n"
    "page.save_revision().publish()\n"
)


def _get(url: str) -> tuple[str, str]:
    with urllib.request.urlopen(url, timeout=HTTP_TIMEOUT) as response:
        return response.headers.get("X-Vigil-Cache", ""), response.read().decode()


@pytest.fixture(scope="module")
def server(site_template, tmp_path_factory):
    """`serve` with two workers on a copy of the run's demo, static files collected as
    `make run` collects them; `manage` runs a command in a process of its own."""
    site = LiveSite(
        site_template,
        tmp_path_factory.mktemp("pagecache-server") / "site",
        smtp_port=free_port(),  # nothing here sends mail
        workers=2,
        static_root=static_collect(run_base(tmp_path_factory)),
    )
    site.start()
    try:
        yield site.url, site.manage, site.db_path
    finally:
        site.stop()


def test_a_publish_in_another_process_reaches_every_worker(server):
    """An editor's publish (its own process) empties the cache every worker reads."""
    url, manage, _db = server
    for _ in range(6):  # enough for both workers to answer
        state, html = _get(url + "/about/")
        assert state in ("hit", "miss")
    assert _get(url + "/about/")[0] == "hit"
    manage("shell", "-c", RENAME)
    for _ in range(6):
        state, html = _get(url + "/about/")
        assert "About this campaign, renamed" in html
    assert state == "hit"


def test_static_files_are_fingerprinted_compressed_and_cached_for_a_year(server):
    url, _manage, _db = server
    _state, html = _get(url + "/about/")
    stylesheet = re.search(r'href="(/static/[^"]+\.[0-9a-f]{12}\.css)"', html).group(1)
    request = urllib.request.Request(url + stylesheet, headers={"Accept-Encoding": "br"})
    with urllib.request.urlopen(request, timeout=HTTP_TIMEOUT) as response:
        assert response.headers["Content-Encoding"] == "br"
        control = response.headers["Cache-Control"]
    assert "immutable" in control
    assert int(re.search(r"max-age=(\d+)", control).group(1)) >= 365 * 86400


def test_a_row_saved_outside_a_transaction_is_kept_and_invalidates(server):
    """INSERT ... RETURNING outside a transaction (a plain create() in a shell): the
    invalidation waits for the save to finish; running it mid-statement once rolled the
    new row back."""
    _url, manage, db = server
    manage(
        "shell",
        "-c",
        "from vigil.actions.models import Subscriber\n"
        "Subscriber.objects.create(email='kept@example.org', language='en')\n",
    )
    with sqlite3.connect(db) as database:
        kept = database.execute(
            "SELECT COUNT(*) FROM actions_subscriber WHERE email = 'kept@example.org'"
        ).fetchone()
        recorded = database.execute("SELECT tags FROM pagecache_invalidation").fetchall()
    assert kept == (1,)
    assert any("table:actions_subscriber" in tags for (tags,) in recorded)
