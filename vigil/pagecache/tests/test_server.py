"""The page cache in the production server: two worker processes, changes made elsewhere."""

import os
import re
import signal
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
RENAME = (
    "from vigil.pages.models import StandardPage\n"
    "page = StandardPage.objects.get(slug='about', locale__language_code='en')\n"
    "page.title = 'About this campaign, renamed'\n"
    "page.save_revision().publish()\n"
)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _get(url: str) -> tuple[str, str]:
    with urllib.request.urlopen(url, timeout=30) as response:
        return response.headers.get("X-Vigil-Cache", ""), response.read().decode()


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("pagecache-server")
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "vigil.settings.production",
        "SECRET_KEY": "test-only-" + "x" * 40,
        "ALLOWED_HOSTS": "127.0.0.1",
        "HTTPS": "false",
        "DATABASE_URL": f"sqlite:///{tmp}/db.sqlite3",
        "MEDIA_ROOT": str(tmp / "media"),
        "STATIC_ROOT": str(tmp / "static"),
        "PAGE_CACHE_DIR": str(tmp / "page-cache"),
        "VIGIL_REQUIRE_2FA": "false",
    }
    env.pop("PYTEST_XDIST_WORKER", None)

    def manage(*args):
        subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, check=True)

    manage("migrate", "--noinput", "-v", "0")
    manage("collectstatic", "--noinput", "-v", "0")
    manage("load_demo", "-v", "0")
    port = _free_port()
    process = subprocess.Popen(
        [sys.executable, "manage.py", "serve", "--port", str(port), "--workers", "2"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        start_new_session=True,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 90
    while True:
        try:
            _get(url + "/about/")
            break
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("the server did not start") from None
            time.sleep(0.2)
    yield url, manage, tmp / "db.sqlite3"
    os.killpg(process.pid, signal.SIGTERM)
    process.wait(timeout=30)


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
    with urllib.request.urlopen(request, timeout=30) as response:
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
