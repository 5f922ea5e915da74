"""The admin in a real browser, under the public content security policy: the live
preview and the Checks panel work, and no page of the admin asks another site for
anything (Gravatar was sent each editor's email hash)."""

import re

import pytest
from django.contrib.auth import get_user_model
from wagtail.models import Page

from vigil.news.models import UpdatePage
from vigil.news.tests.factories import UpdatePageFactory
from vigil.testing.browser import DESKTOP, TIMEOUT_MS, live_server_idle, screenshots_save
from vigil.testing.demo import database_kept, migration_data_create

PASSWORD = "a long editor password 4821"
# A sub-section straight under the title skips a level ('heading-order'), one of the
# issues Wagtail's checker looks for: one issue to find.
BODY_WITH_AN_ISSUE = [
    {"type": "heading", "value": {"text": "What the court decided", "level": "h3"}},
    {
        "type": "paragraph",
        "value": "<p>"
        + " ".join(["The court extended the detention by two more months."] * 30)
        + "</p>",
    },
]


@pytest.fixture(scope="module", autouse=True)
def database_put_back(django_db_setup, django_db_blocker):
    """After the module, the database as the migrations left it: the live server's tests
    flush it, and the database tests that follow in this worker need its root page."""
    with database_kept(django_db_blocker):
        yield


@pytest.fixture
def admin_page(browser, live_server, transactional_db, settings, request):
    """A superuser signed in to the admin, in a fresh profile that enforces the
    pages' content security policy; requests to other sites are refused and recorded."""
    # The live server's database is flushed after each test, migrations' rows too.
    migration_data_create()
    request.getfixturevalue("home")
    # Wagtail's userbar (in previews) loads its files from the admin's base address.
    settings.WAGTAILADMIN_BASE_URL = live_server.url
    get_user_model().objects.create_superuser("chief", "chief@example.org", PASSWORD)
    context = browser.new_context(viewport=DESKTOP, base_url=live_server.url)
    # The admin's edit page loads many scripts: generous on a busy machine.
    context.set_default_timeout(3 * TIMEOUT_MS)
    outside = []

    def route(route):
        url = route.request.url
        if url.startswith((live_server.url, "data:", "blob:", "about:")):
            route.continue_()
        else:
            outside.append(url)
            route.abort()

    context.route("**/*", route)
    page = context.new_page()
    page.outside_requests = outside
    page.goto("/admin/login/")
    page.locator("input[name=username]").fill("chief")
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("form:has(input[name=password]) button[type=submit]").click()
    page.wait_for_url("**/admin/")
    yield page
    report = getattr(request.node, "rep_call", None)
    if report is not None and report.failed:
        screenshots_save(request.node.name, [page])
    page.goto("about:blank")  # the editor's timers stop asking the server
    context.close()
    live_server_idle()


def test_no_admin_page_asks_another_site_for_anything(admin_page, updates_index):
    update = UpdatePageFactory(parent=updates_index, title="Walked through")
    for path in (
        "/admin/",
        "/admin/pages/",
        f"/admin/pages/{updates_index.pk}/",
        f"/admin/pages/{update.pk}/edit/",
        "/admin/images/",
        "/admin/documents/",
        "/admin/users/",
        "/admin/account/",
        "/admin/snippets/news/series/",
        "/admin/reports/site-history/",
    ):
        admin_page.goto(path)
        admin_page.wait_for_load_state("networkidle")
        avatars = admin_page.locator("img.avatar, .avatar img").evaluate_all(
            "images => images.map(image => image.src)"
        )
        assert all(src.startswith(admin_page.url.split("/admin/")[0]) for src in avatars)
    assert admin_page.outside_requests == []


def _panel_open(page, name: str) -> None:
    page.locator(f'[data-side-panel-toggle="{name}"]').click()
    page.locator(f'[data-side-panel="{name}"]').wait_for(state="visible")


def test_live_preview_shows_the_page_and_the_checks_really_run(admin_page, updates_index):
    update = UpdatePageFactory(
        parent=updates_index, title="Detention extended again", body=BODY_WITH_AN_ISSUE
    )
    admin_page.goto(f"/admin/pages/{update.pk}/edit/")
    _panel_open(admin_page, "preview")
    frame = admin_page.frame_locator("#w-preview-iframe")
    assert frame.locator("h1").inner_text() == "Detention extended again"

    _panel_open(admin_page, "checks")
    words = admin_page.locator("[data-content-word-count]")
    # '-' until the checks have run inside the preview (the issue count is set first).
    admin_page.wait_for_function(
        "() => /^\\d+$/.test(document.querySelector('[data-content-word-count]').textContent)"
    )
    # The update's own text (30 sentences of 9 words and the bold line), not the page's menus.
    assert 270 < int(words.inner_text()) < 330
    reading_time = admin_page.locator("[data-content-reading-time]").inner_text()
    assert re.fullmatch(r"\d+ mins?", reading_time)
    issues = admin_page.locator("[data-side-panel='checks'] [data-content-checker-count]")
    assert issues.inner_text() == "1"
    assert (
        "Incorrect heading hierarchy"
        in admin_page.locator("[data-side-panel='checks']").inner_text()
    )
    assert admin_page.outside_requests == []


def test_an_abandoned_add_update_form_leaves_no_page(admin_page, updates_index):
    """Autosave (every 500 ms) used to create the page, and its Russian and Kazakh copies,
    from the first letters typed into "Add page"; the editor then left without saving."""
    pages_before = Page.objects.count()
    admin_page.goto(f"/admin/pages/add/news/updatepage/{updates_index.pk}/")
    # Typed before the form's scripts start, the text would count as the form's first state.
    admin_page.wait_for_load_state("networkidle")
    admin_page.locator("#id_title").press_sequentially("Court sits again", delay=50)
    admin_page.locator("#id_summary").press_sequentially("The hearing was closed.", delay=20)
    admin_page.wait_for_timeout(3_000)
    assert Page.objects.count() == pages_before
    assert not UpdatePage.objects.exists()
    assert "/add/news/updatepage/" in admin_page.url
