"""The admin under its own content security policy (issue 18, item 13): the main screens
work in a real browser, and the browser reports no violation and no script error.

ADMIN_CONTENT_SECURITY_POLICY was found this way: start from 'self' for everything and
no inline code, drive these screens, and relax only what a screen needed: inline scripts
and styles, which Wagtail 8 uses to start its settings forms, page editor and chooser
modals.
"""

import io

import pytest
from django.conf import settings as django_settings
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image as PILImage
from wagtail.images import get_image_model

from vigil.core.tests.test_admin_browser import admin_page, database_put_back  # noqa: F401
from vigil.journeys.harness import autosave_settled
from vigil.news.tests.factories import UpdatePageFactory

# Every violation and uncaught error, in every frame, kept where the test can read it.
WATCH = """
window.__problems = [];
document.addEventListener('securitypolicyviolation', (e) => {
  window.__problems.push(
    `CSP ${e.effectiveDirective} blocked ${e.blockedURI || 'inline'} at ` +
    `${e.sourceFile}:${e.lineNumber} ${e.sample || ''}`);
});
window.addEventListener('error', (e) => window.__problems.push(`error ${e.message}`));
"""

BODY = [
    {"type": "paragraph", "value": "<p>The court <b>extended</b> the detention.</p>"},
]


def _problems(page) -> list[str]:
    found = []
    for frame in page.frames:
        try:
            found += frame.evaluate("() => window.__problems || []")
        except Exception:  # noqa: BLE001 - a frame that went away has nothing to say
            continue
    return found


@pytest.fixture
def watched(admin_page):  # noqa: F811
    errors = []
    admin_page.on("pageerror", lambda error: errors.append(f"pageerror {error}"))
    admin_page.on(
        "console",
        lambda message: (
            errors.append(f"console {message.text}") if message.type == "error" else None
        ),
    )
    admin_page.context.add_init_script(WATCH)
    admin_page.console_errors = errors
    return admin_page


def _visit(page, path: str, seen: dict) -> None:
    page.goto(path)
    page.wait_for_load_state("networkidle")
    header = page.evaluate(
        "async () => (await fetch(location.href)).headers.get('content-security-policy')"
    )
    assert header and "script-src 'self'" in header, path
    seen[path] = _problems(page)


def _image_choose(page, title: str, seen: dict) -> None:
    """Add an image block and choose the image in Wagtail's chooser (a modal)."""
    page.locator("button[title='Insert a block']").first.click()
    page.locator(".w-combobox__option", has_text="Image").first.click()
    autosave_settled(page)
    page.locator(".image-chooser.blank [data-chooser-action-choose]").first.click()
    modal = page.locator(".modal-content")
    try:
        modal.get_by_text(title).first.click()
        page.locator("[data-chooser-title]", has_text=title).last.wait_for()
        autosave_settled(page)
    finally:
        seen["image chooser"] = _problems(page) + page.console_errors


def test_the_admin_works_under_its_policy(watched, updates_index, settings, tmp_path):
    page = watched
    settings.MEDIA_ROOT = tmp_path
    buffer = io.BytesIO()
    PILImage.new("RGB", (600, 400), (120, 30, 30)).save(buffer, "PNG")
    get_image_model().objects.create(
        title="Courthouse", file=SimpleUploadedFile("court.png", buffer.getvalue())
    )
    update = UpdatePageFactory(parent=updates_index, title="Detention extended", body=BODY)
    seen: dict[str, list[str]] = {}
    for path in (
        "/admin/",
        f"/admin/pages/{updates_index.pk}/",
        "/admin/images/",
        "/admin/documents/",
        "/admin/snippets/",
        "/admin/snippets/news/series/",
        "/admin/snippets/news/series/add/",
        "/admin/settings/core/campaignsettings/",
        "/admin/users/",
        "/admin/account/",
    ):
        _visit(page, path, seen)

    # The page editor: rich text (Draftail), the live preview, the image chooser.
    _visit(page, f"/admin/pages/{update.pk}/edit/", seen)
    editor = page.locator(".Draftail-Editor [contenteditable=true]").first
    editor.click()
    editor.press("End")
    editor.type(" Again.")
    page.locator('[data-side-panel-toggle="preview"]').click()
    frame = page.frame_locator("#w-preview-iframe")
    assert frame.locator("h1").inner_text() == "Detention extended"
    # One request at a time: Django's live server shares one in-memory SQLite connection
    # between its threads, and an autosave racing a chooser request breaks both.
    autosave_settled(page)
    seen["page editor"] = _problems(page)
    try:
        _image_choose(page, "Courthouse", seen)
    except Exception as error:  # noqa: BLE001 - say what the browser saw
        pytest.fail(f"the image chooser failed ({error}); the browser saw {seen}")

    problems = {where: found for where, found in seen.items() if found}
    assert problems == {}, problems
    assert page.console_errors == []
    assert page.outside_requests == []


def test_the_policy_names_no_other_site_and_allows_no_eval():
    """Inline code is the one thing Wagtail's admin needs beyond 'self' (the test above
    fails without it); nothing may load from, or send to, another site."""
    policy = django_settings.ADMIN_CONTENT_SECURITY_POLICY
    allowed = {"'self'", "'none'", "'unsafe-inline'", "data:", "blob:"}
    for directive, sources in policy.items():
        assert set(sources) <= allowed, directive
        assert "'unsafe-eval'" not in sources
    for directive in ("connect-src", "form-action", "frame-src", "default-src", "base-uri"):
        assert policy[directive] == ["'self'"], directive
    assert policy["frame-ancestors"] == ["'none'"] and policy["object-src"] == ["'none'"]
