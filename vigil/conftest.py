"""Fixtures shared by every app's tests: a site with a home page and an updates index, and
vigil.testing's (the browser, the demo, the production server, the SMTP sink, the S3
server)."""

import threading

import pytest
from django.core.servers.basehttp import ThreadedWSGIServer
from django.test import testcases
from wagtail.models import Page, Site

from vigil.news.tests.factories import UpdateIndexPageFactory
from vigil.pages.tests.factories import HomePageFactory

# Imported here alone: a fixture imported into several conftest files is a separate
# fixture in each, and a session one would be built once per folder.
from vigil.testing.fixtures import (  # noqa: F401 - fixtures and a hook for every app's tests
    browser,
    demo,
    demo_built,
    demo_copy,
    demo_var_dir,
    live_site,
    mailbox,
    open_page,
    pytest_runtest_makereport,
    s3_server,
    site_template,
    sync_orm_beside_playwright,
)


class _OneRequestAtATimeServer(ThreadedWSGIServer):
    """Django's live server, answering one request at a time.

    Its threads share the test's one in-memory SQLite connection, so two requests at once
    (an editor's autosave beside a chooser, a preview beside a session save) interleave
    their transactions: rows vanish ("the request's session was deleted") or the table
    stays locked. Connections stay threaded (keep-alive); only the application is serial.
    """

    def set_app(self, application):
        lock = threading.Lock()

        def serial(environ, start_response):
            with lock:
                return application(environ, start_response)

        super().set_app(serial)


testcases.LiveServerThread.server_class = _OneRequestAtATimeServer


@pytest.fixture
def home(db):
    """A fresh HomePage as the root of the default site."""
    root = Page.get_first_root_node()
    for placeholder in Page.objects.child_of(root):
        placeholder.delete()
    root.refresh_from_db()
    home = HomePageFactory(parent=root, title="Free Test Person", slug="home")
    Site.objects.all().delete()
    Site.objects.create(
        hostname="testserver", port=80, root_page=home, is_default_site=True, site_name="Test"
    )
    return home


@pytest.fixture
def updates_index(home):
    return UpdateIndexPageFactory(parent=home, title="Latest updates", slug="updates")


@pytest.fixture(autouse=True)
def default_language():
    """Each test starts in English: a request to /ru/ or /kk/ leaves its language active
    in the thread, and code run outside a request would speak it."""
    from django.conf import settings
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture(autouse=True)
def cold_caches():
    """Each test starts with the per-process caches empty, as a freshly started server
    has them: Django's cache (Wagtail's site root paths, settings) and the content types
    by id. Otherwise what an earlier test in the same worker cached, for rows its
    rollback or flush has since removed, would serve this one, and a pinned query count
    would depend on which tests ran before it."""
    from django.contrib.contenttypes.models import ContentType
    from django.core.cache import cache

    cache.clear()
    ContentType.objects.clear_cache()


# Fixtures that serve a throw-away site from a SQLite file of its own, whatever database
# the run uses: a test that needs one runs the same on every database.
_OWN_SQLITE_SITE_FIXTURES = {"live_site", "site_template", "journey_site"}


def pytest_collection_modifyitems(config, items):
    """Mark what the PostgreSQL pass leaves out (`-m "not own_sqlite_site and not browser
    and not s3_server"`):

    - tests that serve their own SQLite site would repeat the SQLite pass to the letter;
    - tests that drive Chromium look at HTML that the same queries render on either
      database; where PostgreSQL does differ (search, collation, constraints, query
      counts, migrations) the tests without a browser say so, and they run on both;
    - tests that publish a copy to buckets send files that the export (checked on both
      databases by the export's own tests) has already written.
    """
    for item in items:
        fixtures = set(getattr(item, "fixturenames", ()))
        if _OWN_SQLITE_SITE_FIXTURES & fixtures:
            item.add_marker(pytest.mark.own_sqlite_site)
        if "browser" in fixtures:
            item.add_marker(pytest.mark.browser)
        if "s3_server" in fixtures:
            item.add_marker(pytest.mark.s3_server)
    items[:] = _slowest_modules_first(items)


def _slowest_modules_first(items: list) -> list:
    """The items with the modules that serve sites, drive Chromium or restore the demo
    first, the rest after, each in its collected order.

    `make test` hands whole modules to its two xdist workers, in collection order when
    asked (`--no-loadscope-reorder`; xdist's own order puts the modules with the fewest
    tests last, and those are the journeys, a minute or two each). Started last, one of
    them leaves the other worker idle at the end; started first, the short modules fill
    in behind them."""

    def cost(item) -> int:
        fixtures = set(getattr(item, "fixturenames", ()))
        if _OWN_SQLITE_SITE_FIXTURES & fixtures or "browser" in fixtures:
            return 2
        return 1 if "demo" in fixtures else 0

    module_cost: dict[str, int] = {}
    for item in items:
        module = item.nodeid.split("::", 1)[0]
        module_cost[module] = max(module_cost.get(module, 0), cost(item))
    order = {module: index for index, module in enumerate(module_cost)}
    return sorted(
        items,
        key=lambda item: (
            -module_cost[item.nodeid.split("::", 1)[0]],
            order[item.nodeid.split("::", 1)[0]],
        ),
    )
