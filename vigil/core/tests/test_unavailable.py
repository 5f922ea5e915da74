"""A locked, full or unreachable database gives a styled 503 with Retry-After, never a 500.

The server tests lock or fill the database file of a real production server
(`manage.py serve`, SQLite in WAL mode) from outside; the others feed real database
errors (SQLite and psycopg) to the error handler.
"""

import contextlib
import sqlite3
from pathlib import Path

import psycopg
import pytest
import requests
from django.db import connection
from django.db.utils import ConnectionHandler, DatabaseErrorWrapper
from django.test import RequestFactory
from django.utils import translation
from django.utils.translation import gettext

from vigil.core.services import database_unavailable_reason
from vigil.core.views import UNAVAILABLE_RETRY_SECONDS, server_error
from vigil.settings.env import sqlite_database
from vigil.testing.forms import form_inputs
from vigil.testing.live_site import HTTP_TIMEOUT, LiveSite
from vigil.testing.servers import free_port

PETITION = "/petition/"


@contextlib.contextmanager
def database_locked(path: Path, *, readers_too: bool):
    """Hold the database's write lock from another connection until the block ends.

    SQLite in WAL mode lets readers through a writer's lock; `readers_too` takes the
    lock in EXCLUSIVE locking mode, which shuts them out as well (as a long
    maintenance job or a stuck process holding the file would).
    """
    db = sqlite3.connect(path, isolation_level=None, timeout=HTTP_TIMEOUT)
    try:
        if readers_too:
            db.execute("PRAGMA locking_mode=EXCLUSIVE")
            db.execute("BEGIN EXCLUSIVE")
        else:
            db.execute("BEGIN IMMEDIATE")
        db.execute("CREATE TABLE fault_probe (x)")
        yield
        db.execute("ROLLBACK")
    finally:
        db.close()


def sign_form(session, site) -> dict:
    """The signing form's inputs, as a browser (`session`, with its cookie) has them."""
    page = session.get(site.url + PETITION, timeout=HTTP_TIMEOUT)
    assert page.status_code == 200
    return form_inputs(page.text, PETITION + "sign/")


def sign(session, site, inputs: dict, address: str) -> requests.Response:
    data = {**inputs, "website": "", "name": "Locked Out", "email": address, "country": "KZ"}
    return session.post(
        site.url + PETITION + "sign/",
        data=data,
        headers={"Referer": site.url + PETITION},
        timeout=HTTP_TIMEOUT,
        allow_redirects=False,
    )


def assert_unavailable_page(response, *, language: str = "en") -> None:
    assert response.status_code == 503, response.text[:300]
    assert response.headers["Retry-After"] == str(UNAVAILABLE_RETRY_SECONDS)
    assert response.headers["Content-Type"].startswith("text/html")
    assert "no-store" in response.headers["Cache-Control"]
    html = response.text
    assert f'<html lang="{language}">' in html
    with translation.override(language):
        assert f"<h1>{gettext('Temporarily unavailable')}</h1>" in html
    assert 'rel="stylesheet"' in html and "vigil" in html
    assert "Traceback" not in html and "OperationalError" not in html
    assert "<script" not in html and "style=" not in html


@pytest.fixture
def locked_site(site_template, tmp_path, mailbox):
    """A served site whose SQLite busy timeout is 1 s, so a lock shows quickly. Only the
    web server reads the file: a lock that shuts readers out waits until none reads, and
    a task worker's polls, several a second, kept it waiting."""
    site = LiveSite(site_template, tmp_path / "site", smtp_port=mailbox.port, busy_seconds=1)
    site.start(task_worker=False)
    try:
        yield site
    finally:
        site.stop()


def test_a_locked_database_gives_503_on_pages_and_the_signing_form(locked_site, mailbox):
    """Another process holds the database longer than the busy timeout: reading pages and
    the signing form answer a styled 503 with Retry-After (pages already in the page cache
    are still served), the cause is logged, nothing half-done is stored, and the same
    form goes through once the lock is gone."""
    site = locked_site
    session = requests.Session()
    inputs = sign_form(session, site)

    # A writer's lock: pages are still read (WAL), signing must wait and gives up.
    with database_locked(site.db_path, readers_too=False):
        assert requests.get(site.url + PETITION, timeout=HTTP_TIMEOUT).status_code == 200
        assert_unavailable_page(sign(session, site, inputs, "locked@example.org"))

    # A page read before is in the page cache, which needs no database.
    requests.get(site.url + "/", timeout=HTTP_TIMEOUT)
    # A lock that shuts out readers too: every page that needs the database.
    with database_locked(site.db_path, readers_too=True):
        cached = requests.get(site.url + "/", timeout=HTTP_TIMEOUT)
        assert (cached.status_code, cached.headers["X-Vigil-Cache"]) == (200, "hit")
        assert_unavailable_page(requests.get(site.url + "/updates/", timeout=HTTP_TIMEOUT))
        assert_unavailable_page(
            requests.get(site.url + "/ru/", timeout=HTTP_TIMEOUT), language="ru"
        )
        assert_unavailable_page(sign(session, site, inputs, "locked@example.org"))

    assert site.query("SELECT COUNT(*) FROM actions_signature") == [(0,)]
    assert mailbox.count() == 0, "no confirmation email for a signature that was not kept"
    assert requests.get(site.url + "/", timeout=HTTP_TIMEOUT).status_code == 200
    response = sign(session, site, sign_form(session, site), "locked@example.org")
    assert response.status_code == 303
    assert site.query("SELECT email FROM actions_signature") == [("locked@example.org",)]
    log = site.log
    assert "Database unavailable (locked: database is locked) for POST /petition/sign/" in log
    assert "Database unavailable (locked: database is locked) for GET /ru/" in log
    assert "Internal Server Error" not in log


def test_a_full_database_gives_503_to_signing_and_keeps_serving_pages(
    site_template, tmp_path, mailbox
):
    """The database cannot grow (SQLite's max_page_count pinned to its size, as on a full
    disk): signatures are taken while there is room, then the form answers 503; pages
    are still served and every signature answered with 303 is stored."""
    site = LiveSite(
        site_template,
        tmp_path / "site",
        smtp_port=mailbox.port,
        extra_pragmas="PRAGMA max_page_count=1;",  # SQLite raises it to the current size
    )
    site.start()
    try:
        session = requests.Session()
        inputs = sign_form(session, site)
        accepted, statuses = [], []
        for i in range(500):
            address = f"full{i:03d}@example.org"
            if i:  # a form stamp works once: a fresh form for each signature
                inputs = sign_form(session, site)
            response = sign(session, site, inputs, address)
            statuses.append(response.status_code)
            if response.status_code == 303:
                accepted.append(address)
            else:
                break
        assert set(statuses) <= {303, 503}, statuses
        assert_unavailable_page(response)
        for path in ("/", PETITION, "/updates/", "/ru/"):
            assert session.get(site.url + path, timeout=HTTP_TIMEOUT).status_code == 200, path
        stored = {email for (email,) in site.query("SELECT email FROM actions_signature")}
        assert stored == set(accepted)
        assert "Database unavailable (full: database or disk is full)" in site.log
        assert "Internal Server Error" not in site.log
        print(f"\nfull database: {len(accepted)} signatures taken, then 503")
    finally:
        site.stop()


# -- the handler, fed real errors ---------------------------------------------------------


def _other_database(config: dict):
    return ConnectionHandler({"default": config})["default"]


def _error_of(call) -> BaseException:
    try:
        call()
    except Exception as error:  # noqa: BLE001 - the error is what the test looks at
        return error
    raise AssertionError("no error raised")


def _answer_while_handling(error: BaseException, path: str = "/"):
    """Call the 500 handler as Django does: while the exception is being handled."""
    request = RequestFactory().get(path)
    try:
        raise error
    except Exception:  # noqa: BLE001
        return server_error(request)


def test_a_locked_sqlite_file_is_unavailable_not_a_bug(tmp_path, django_db_blocker):
    """SQLite's own "database is locked", from a connection of Django's to another file."""
    path = tmp_path / "db.sqlite3"
    sqlite3.connect(path).close()
    config = sqlite_database(path)
    config["OPTIONS"]["timeout"] = 0.1
    config["OPTIONS"]["init_command"] = config["OPTIONS"]["init_command"].replace(
        "busy_timeout=20000", "busy_timeout=100"
    )
    other = _other_database(config)
    with database_locked(path, readers_too=True), django_db_blocker.unblock():
        error = _error_of(other.ensure_connection)
    assert database_unavailable_reason(error=error) == "locked"
    response = _answer_while_handling(error, "/kk/updates/")
    assert response.status_code == 503
    assert '<html lang="kk">' in response.content.decode()


@pytest.mark.django_db
def test_a_bad_query_stays_a_500():
    """A missing table is a bug, not an outage: 500, no Retry-After."""
    with connection.cursor() as cursor:
        error = _error_of(lambda: cursor.execute("SELECT * FROM vigil_no_such_table"))
    assert database_unavailable_reason(error=error) is None
    response = _answer_while_handling(error)
    assert response.status_code == 500
    assert "Retry-After" not in response
    assert database_unavailable_reason(error=ValueError("database is locked")) is None


def test_an_unreachable_postgresql_server_is_unavailable(django_db_blocker):
    """psycopg's own error when nothing listens on the port."""
    other = _other_database(
        {
            "ENGINE": "django.db.backends.postgresql",
            "NAME": "vigil",
            "USER": "vigil",
            "PASSWORD": "x",
            "HOST": "127.0.0.1",
            "PORT": str(free_port()),
            "OPTIONS": {"connect_timeout": 5},
        }
    )
    with django_db_blocker.unblock():
        error = _error_of(other.ensure_connection)
    assert isinstance(error.__cause__, psycopg.OperationalError)
    assert database_unavailable_reason(error=error) == "cannot connect"
    assert _answer_while_handling(error).status_code == 503


@pytest.mark.parametrize(
    ("psycopg_error", "reason"),
    [
        (psycopg.errors.DiskFull, "out of resources"),
        (psycopg.errors.TooManyConnections, "out of resources"),
        (psycopg.errors.OutOfMemory, "out of resources"),
        (psycopg.errors.AdminShutdown, "shutting down"),
        (psycopg.errors.CannotConnectNow, "not accepting connections"),
        (psycopg.errors.UndefinedTable, None),
        (psycopg.errors.SyntaxError, None),
    ],
)
def test_postgresql_errors_by_sqlstate(psycopg_error, reason):
    """PostgreSQL's disk full, too many connections, shutdown... as Django wraps them."""
    other = _other_database(
        {"ENGINE": "django.db.backends.postgresql", "NAME": "vigil", "HOST": "127.0.0.1"}
    )

    def raise_wrapped():
        with DatabaseErrorWrapper(other):
            raise psycopg_error("as the server says it")

    error = _error_of(raise_wrapped)
    assert database_unavailable_reason(error=error) == reason
    assert _answer_while_handling(error).status_code == (500 if reason is None else 503)
