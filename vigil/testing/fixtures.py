"""The pytest fixtures over vigil.testing, for every app's tests (vigil/conftest.py
imports them, so they are there in every test directory).

- `browser`: one headless Debian Chromium per module (`sync_orm_beside_playwright`
  lets the ORM run beside Playwright's event loop meanwhile);
- `demo_copy`, `demo`, `open_page`: the demo campaign on Django's live server, built
  once per module and restored for each test, and pages in fresh browser contexts;
- `site_template`, `mailbox`, `live_site`: the production server on a copy of the demo
  site, with the SMTP sink its mail goes to;
- `s3_server`: moto's S3-compatible server on loopback, one per test process;
- `pytest_runtest_makereport`: each phase's report kept on the test item.
"""

from pathlib import Path

import pytest

from vigil.testing.browser import (
    CHROMIUM,
    CHROMIUM_ARGS,
    DESKTOP,
    TIMEOUT_MS,
    live_server_idle,
    screenshots_save,
)
from vigil.testing.demo import DatabaseCopy, Demo, demo_build, migration_data_create
from vigil.testing.live_site import LiveSite, run_base, template_build
from vigil.testing.mail import mailbox_serving
from vigil.testing.s3 import S3Server, s3_serving


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    """Keep each phase's report on the test item (`rep_setup`, `rep_call`, `rep_teardown`).

    Fixtures read `request.node.rep_call.failed` in their teardown, e.g. to save a
    screenshot of the page a failed browser test was looking at.
    """
    report = yield
    setattr(item, f"rep_{report.when}", report)
    return report


# -- the browser and the demo on Django's live server ---------------------------------------


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
        migration_data_create()
        demo_build(live_server, demo_var_dir)

    with django_db_blocker.unblock(), pytest.MonkeyPatch.context() as patch:
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        before = DatabaseCopy(migration_data_create)
        try:
            demo_build(live_server, demo_var_dir)
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
        before = DatabaseCopy(migration_data_create)
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
        screenshots_save(request.node.name, pages)
    for context in contexts:
        context.close()
    live_server_idle()
    assert not outside_requests, f"Pages asked for other sites: {outside_requests}"
    assert not page_errors, f"Uncaught script errors: {page_errors}"


# -- the production server -----------------------------------------------------------------


@pytest.fixture(scope="session")
def site_template(tmp_path_factory) -> Path:
    return template_build(run_base(tmp_path_factory))


@pytest.fixture
def mailbox():
    with mailbox_serving() as box:
        yield box


@pytest.fixture
def live_site(site_template, tmp_path, mailbox):
    """A fresh copy of the demo site, served; stopped (whatever state it is in) afterwards."""
    site = LiveSite(site_template, tmp_path / "site", smtp_port=mailbox.port)
    site.start()
    try:
        yield site
    finally:
        site.stop()


# -- an S3-compatible server ---------------------------------------------------------------


@pytest.fixture(scope="session")
def s3_server(tmp_path_factory) -> S3Server:
    """moto's S3 server in its own process, for the whole run (it starts in about 2 s);
    each test makes buckets of its own with `s3_server.bucket_create()`."""
    with s3_serving(tmp_path_factory.mktemp("s3")) as server:
        yield server
