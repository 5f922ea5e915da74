"""Browser-test fixtures and helpers: the demo campaign on a live server, one Chromium.

The demo campaign takes seconds to build, so it is built once per test module
and copied aside (`DatabaseCopy`: SQLite's backup API on the in-memory test
database, `COPY` of every table on PostgreSQL); every test starts from that copy,
restored in milliseconds, and `transactional_db` flushes it afterwards as usual.
When the module is done the database is put back as it was before the module,
migrations' data included.

Chromium is Debian's (never `playwright install`), started once per module; each
test gets fresh browser contexts. A failed test leaves a screenshot of each page
it opened in `test-artifacts/`.
"""

import contextlib
import functools
import re
import sqlite3
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.cache import cache
from django.core.management import call_command
from django.db import connection, transaction

ARTIFACTS_DIR = Path(settings.BASE_DIR) / "test-artifacts"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
TIMEOUT_MS = 10_000
DESKTOP = {"width": 1280, "height": 900}
AXE_OPTIONS = {
    "runOnly": {
        "type": "tag",
        "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"],
    },
    "resultTypes": ["violations"],
}


@dataclass(frozen=True)
class Demo:
    """The demo campaign as served by the live server."""

    url: str
    var_dir: Path  # where its load wrote the admin's password and enrolment link


# -- fixtures ---------------------------------------------------------------


@pytest.fixture(scope="module")
def sync_orm_beside_playwright():
    """Let the ORM run in the main thread while Playwright's event loop lives there too.

    Playwright's sync API keeps an asyncio loop running in the main thread, which
    Django takes for async code. Set only while this module's fixtures are alive.
    """
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        yield


@pytest.fixture(scope="module")
def browser(sync_orm_beside_playwright):
    """One headless Debian Chromium for the whole module."""
    from playwright.sync_api import sync_playwright

    playwright = sync_playwright().start()
    try:
        chromium = playwright.chromium.launch(
            executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True
        )
        try:
            yield chromium
        finally:
            chromium.close()
    finally:
        playwright.stop()


def _point_site_at(live_server) -> None:
    """Make the default site's host and port the live server's, so absolute URLs work."""
    from wagtail.models import Site

    parts = urlsplit(live_server.url)
    Site.objects.filter(is_default_site=True).update(hostname=parts.hostname, port=parts.port)


def _demo_build(live_server, var_dir: Path) -> None:
    from vigil.demo.services import demo_load

    demo_load(var_dir=var_dir)  # var_dir: the admin password file stays out of var/
    _point_site_at(live_server)


def _migration_data_create() -> None:
    """What the migrations put in an empty database: locales (kept in sync with English),
    the root collection, the root page and the default site."""
    from wagtail.models import Collection, Locale, Page, Site
    from wagtail_localize.models import LocaleSynchronization

    locale, _made = Locale.objects.get_or_create(language_code=settings.LANGUAGE_CODE)
    for code, _name in settings.WAGTAIL_CONTENT_LANGUAGES:
        if code != locale.language_code:
            other, _made = Locale.objects.get_or_create(language_code=code)
            LocaleSynchronization.objects.get_or_create(
                locale=other, defaults={"sync_from": locale}
            )
    if Collection.get_first_root_node() is None:
        Collection.add_root(name="Root")
    if Page.get_first_root_node() is None:
        root = Page.add_root(title="Root", slug="root", locale=locale)
        welcome = root.add_child(
            instance=Page(title="Welcome to your new Wagtail site!", slug="home", locale=locale)
        )
        Site.objects.create(hostname="localhost", port=80, root_page=welcome, is_default_site=True)


class DatabaseCopy:
    """The test database's content at one moment, to be put back later, whole.

    In-memory SQLite (the test settings' default) is copied with SQLite's backup
    API, both ways, in milliseconds. PostgreSQL's tables are copied out with
    `COPY ... TO STDOUT` into memory, with their sequences, and put back by
    emptying every table and copying the rows in again: tens of milliseconds for
    the demo, and exactly what was there (content types with their ids, Wagtail's
    groups and permissions from the migrations), unlike a flush and a rebuild.
    Nothing is kept in the database itself, so `pg_dump` sees only the site.
    Other databases are flushed and rebuilt by `rebuild`.
    """

    def __init__(self, rebuild):
        connection.ensure_connection()
        self._rebuild = rebuild
        self._sqlite = None
        self._postgres = None
        if connection.vendor == "sqlite" and connection.is_in_memory_db():
            self._sqlite = sqlite3.connect(":memory:")
            connection.connection.backup(self._sqlite)
        elif connection.vendor == "postgresql":
            self._postgres = _postgres_copy()

    def restore(self) -> None:
        connection.ensure_connection()
        ContentType.objects.clear_cache()
        cache.clear()
        if self._sqlite is not None:
            self._sqlite.backup(connection.connection)
        elif self._postgres is not None:
            _postgres_restore(self._postgres)
        else:
            call_command("flush", interactive=False, verbosity=0)
            ContentType.objects.clear_cache()
            self._rebuild()
        # Ids in the restored copy may differ from what was cached since it was taken.
        ContentType.objects.clear_cache()
        cache.clear()

    def close(self) -> None:
        if self._sqlite is not None:
            self._sqlite.close()
        self._postgres = None


@contextlib.contextmanager
def database_kept(django_db_blocker):
    """The test database put back whole, as it is now, when the block ends: around tests
    that commit (a live server's, or a restore's), for the database tests after them."""
    with django_db_blocker.unblock():
        before = DatabaseCopy(_migration_data_create)
    try:
        yield
    finally:
        with django_db_blocker.unblock():
            before.restore()
        before.close()


@dataclass(frozen=True)
class _PostgresCopy:
    tables: dict[str, bytes]  # every table but django_migrations: its rows, COPY binary
    sequences: dict[str, int | None]  # last_value (None: never used)


def _postgres_tables(cursor) -> list[str]:
    # django_migrations is left alone: nothing a test does changes it.
    return [
        name
        for name in connection.introspection.table_names(cursor, include_views=False)
        if name != "django_migrations"
    ]


def _postgres_copy() -> _PostgresCopy:
    quote = connection.ops.quote_name
    tables = {}
    # One snapshot of every table, as a single transaction sees them.
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
        for name in _postgres_tables(cursor):
            data = bytearray()
            with cursor.copy(f"COPY {quote(name)} TO STDOUT (FORMAT BINARY)") as copy:
                for chunk in copy:
                    data += chunk
            tables[name] = bytes(data)
        cursor.execute(
            "SELECT sequencename, last_value FROM pg_sequences WHERE schemaname = current_schema()"
        )
        sequences = dict(cursor.fetchall())
    return _PostgresCopy(tables=tables, sequences=sequences)


def _postgres_restore(saved: _PostgresCopy) -> None:
    quote = connection.ops.quote_name
    with transaction.atomic(), connection.cursor() as cursor:
        # Django's foreign keys are deferrable: rows may come back in any order.
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")
        current = _postgres_tables(cursor)
        cursor.execute(f"TRUNCATE {', '.join(quote(name) for name in current)}")
        # An empty table's copy is the binary header alone (19 bytes) and a trailer.
        for name, data in saved.tables.items():
            if len(data) > 21:
                with cursor.copy(f"COPY {quote(name)} FROM STDIN (FORMAT BINARY)") as copy:
                    copy.write(data)
        if saved.sequences:
            cursor.execute(
                "SELECT setval(quote_ident(name)::regclass, COALESCE(value, 1), value IS NOT NULL)"
                " FROM unnest(%s::text[], %s::bigint[]) AS saved(name, value)",
                [list(saved.sequences), list(saved.sequences.values())],
            )


@pytest.fixture(scope="session")
def demo_var_dir(tmp_path_factory) -> Path:
    """The var folder of the demo load: a test that loads the demo again into it sees
    what `make run` sees on its second start."""
    return tmp_path_factory.mktemp("demo-var")


@pytest.fixture(scope="session")
def demo_built(django_db_setup, django_db_blocker, live_server, demo_var_dir):
    """The demo, built once per test process (a load takes half a minute) and kept as a
    copy of the database; the database itself is put back as it was before the build.

    Session fixtures are set up before module ones, so a module's Playwright may already
    hold the main thread's event loop: the build allows the ORM beside it itself."""

    def rebuild_demo():
        _migration_data_create()
        _demo_build(live_server, demo_var_dir)

    with django_db_blocker.unblock(), pytest.MonkeyPatch.context() as patch:
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        before = DatabaseCopy(_migration_data_create)
        try:
            _demo_build(live_server, demo_var_dir)
            built = DatabaseCopy(rebuild_demo)
        finally:
            before.restore()
            before.close()
    try:
        yield built
    finally:
        built.close()


@pytest.fixture(scope="module")
def demo_copy(sync_orm_beside_playwright, django_db_blocker, demo_built):
    """The built demo for the module's tests to restore.

    When the module is done the database goes back to what it held before (the
    migrations' data: Wagtail's root page, default site and locale), not merely
    flushed, so database tests that run after this module in the same process
    find what they expect.
    """
    with django_db_blocker.unblock():
        before = DatabaseCopy(_migration_data_create)
    try:
        yield demo_built
    finally:
        with django_db_blocker.unblock():
            before.restore()
        before.close()


@pytest.fixture
def demo(demo_copy, demo_var_dir, transactional_db, live_server) -> Demo:
    """The demo campaign, as built, at `Demo.url`, for one test.

    `transactional_db` flushes the database after the test, as usual.
    """
    demo_copy.restore()
    return Demo(url=live_server.url, var_dir=demo_var_dir)


@pytest.fixture
def open_page(browser, demo, request):
    """`open_page(path, **context_options)`: a page in a fresh context, at `path`.

    Contexts bypass CSP (for axe) and may only reach the live server: any other
    request is refused and fails the test. Uncaught script errors fail it too.
    A failed test saves a screenshot of every page it opened.
    """
    contexts = []
    pages = []
    page_errors = []
    outside_requests = []
    live_origin = demo.url

    def _route(route):
        url = route.request.url
        if url.startswith(live_origin) or url.startswith("data:"):
            route.continue_()
        else:
            outside_requests.append(url)
            route.abort()

    def _open(path: str = "/", **context_options):
        options = {"bypass_csp": True, "viewport": DESKTOP, "base_url": live_origin}
        options.update(context_options)
        context = browser.new_context(**options)
        context.set_default_timeout(TIMEOUT_MS)
        context.route("**/*", _route)
        contexts.append(context)
        page = context.new_page()
        page.on("pageerror", lambda error: page_errors.append(str(error)))
        pages.append(page)
        if path is not None:
            page.goto(path)
        return page

    yield _open

    report = getattr(request.node, "rep_call", None)
    if report is not None and report.failed:
        _save_screenshots(request.node.name, pages)
    for context in contexts:
        context.close()
    live_server_idle()
    assert not outside_requests, f"Pages asked for other sites: {outside_requests}"
    assert not page_errors, f"Uncaught script errors: {page_errors}"


def live_server_idle(*, timeout: float = 60) -> None:
    """Wait until Django's live server has finished every request still in flight.

    A closed browser may have left one running (an autosave, an editing-session ping);
    its thread shares the test's in-memory SQLite connection, and the flush after the
    test fails with "database table is locked" while it holds it.
    """
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        busy = [t for t in threading.enumerate() if "process_request_thread" in t.name]
        if not busy:
            return
        time.sleep(0.05)
    raise AssertionError(f"the live server still answers {len(busy)} request(s)")


def _save_screenshots(test_name: str, pages) -> None:
    ARTIFACTS_DIR.mkdir(exist_ok=True)
    stem = re.sub(r"[^\w.-]+", "-", test_name).strip("-")
    for number, page in enumerate(pages, start=1):
        suffix = "" if number == len(pages) else f"-{number}"
        # A screenshot that cannot be taken must never hide the real failure.
        with contextlib.suppress(Exception):
            page.screenshot(path=str(ARTIFACTS_DIR / f"{stem}{suffix}.png"), full_page=True)


# -- helpers ----------------------------------------------------------------


@functools.cache
def axe_source() -> str:
    """axe-core as shipped inside axe-playwright-python."""
    import axe_playwright_python

    return (Path(axe_playwright_python.__file__).parent / "axe.min.js").read_text(encoding="utf-8")


def axe_violations(page, options: dict | None = None) -> list[dict]:
    """Run axe-core on the page (WCAG 2.0/2.1 A and AA, WCAG 2.2 AA); its violations."""
    page.evaluate(axe_source())
    results = page.evaluate("options => axe.run(document, options)", options or AXE_OPTIONS)
    return results["violations"]


def violations_report(violations: list[dict], *, targets: int = 3) -> str:
    """One line per violation: id, impact, help and the first few offending elements."""
    lines = []
    for violation in violations:
        nodes = violation["nodes"]
        shown = [" ".join(map(str, node["target"])) for node in nodes[:targets]]
        more = f" (+{len(nodes) - targets} more)" if len(nodes) > targets else ""
        lines.append(
            f"{violation['id']} [{violation['impact']}]: {violation['help']}: "
            f"{'; '.join(shown)}{more}"
        )
    return "\n".join(lines)


def scroll_width(page) -> int:
    """The page's full width in CSS pixels: wider than the viewport means sideways scrolling."""
    return page.evaluate("() => document.documentElement.scrollWidth")
