"""A strict Content-Security-Policy on every public page and one for the admin;
Cross-Origin-Resource-Policy on every response."""

import pytest

from vigil.news.tests.factories import UpdatePageFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("path", ["/", "/updates/", "/search/?q=x", "/no-such-page/"])
def test_public_pages_have_a_strict_policy(client, updates_index, path):
    policy = client.get(path)["Content-Security-Policy"]
    directives = dict(part.strip().split(" ", 1) for part in policy.split(";"))
    assert directives["default-src"] == "'self'"
    assert directives["script-src"] == "'self'"
    assert directives["style-src"] == "'self'"
    assert directives["object-src"] == "'none'"
    assert directives["frame-ancestors"] == "'none'"
    assert "unsafe-inline" not in policy
    assert "unsafe-eval" not in policy


def test_the_admin_has_its_own_strict_policy(admin_client, settings):
    """The policy measured in a browser (test_admin_csp.py), not the public one."""
    policy = _policy(admin_client.get("/admin/"))
    for directive, sources in settings.ADMIN_CONTENT_SECURITY_POLICY.items():
        assert policy[directive] == " ".join(sources)
    assert "unsafe-eval" not in " ".join(policy.values())


@pytest.mark.parametrize(
    ("path", "policy"),
    [
        ("/", "same-origin"),
        ("/updates/feed/rss/", "same-origin"),
        ("/admin/login/", "same-origin"),
        ("/static/css/vigil.css", "same-origin"),
        ("/media/original_images/x.jpg", "same-origin"),
        ("/media/images/x.width-800.jpg", "cross-origin"),
    ],
)
def test_only_public_images_may_be_embedded_elsewhere(client, updates_index, path, policy):
    assert client.get(path)["Cross-Origin-Resource-Policy"] == policy


@pytest.mark.parametrize("path", ["/", "/search/?q=x", "/admin/login/", "/static/css/vigil.css"])
def test_every_response_has_the_hardening_headers(client, updates_index, path):
    response = client.get(path)
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    policy = dict(item.split("=", 1) for item in response["Permissions-Policy"].split(", "))
    for feature in ("camera", "microphone", "geolocation", "payment", "browsing-topics"):
        assert policy[feature] == "()"


@pytest.mark.parametrize("path", ["/", "/admin/login/"])
def test_no_page_can_be_framed(client, updates_index, path):
    assert client.get(path)["X-Frame-Options"] == "DENY"


def _policy(response) -> dict[str, str]:
    header = response["Content-Security-Policy"]
    return dict(part.strip().split(" ", 1) for part in header.split(";"))


def test_the_admin_may_frame_a_preview_and_nothing_else(admin_client, updates_index):
    """Wagtail's live preview panel frames the page as drafted; its response came with
    the public `frame-ancestors 'none'` and the panel stayed blank."""
    page = UpdatePageFactory(parent=updates_index, title="Framed in the admin")
    preview = admin_client.get(f"/admin/pages/{page.pk}/view_draft/")
    assert preview.status_code == 200
    assert _policy(preview)["frame-ancestors"] == "'self'"
    assert preview["X-Frame-Options"] == "SAMEORIGIN"
    # The rest of the public policy stays as strict inside the preview.
    assert _policy(preview)["script-src"] == "'self'"
    public = admin_client.get(page.url)
    assert _policy(public)["frame-ancestors"] == "'none'"
    assert public["X-Frame-Options"] == "DENY"


def test_the_preview_carries_the_checks_and_public_pages_do_not(admin_client, updates_index):
    """The Checks panel (accessibility, words, reading time) runs through Wagtail's userbar
    inside the preview; without it the panel showed '0 issues' having checked nothing."""
    page = UpdatePageFactory(parent=updates_index, title="Checked in the admin")
    preview = admin_client.get(f"/admin/pages/{page.pk}/view_draft/").content.decode()
    assert "<wagtail-userbar>" in preview and 'id="checker-axe-configuration"' in preview
    # A signed-in editor on the public page (which is cached for everyone) gets none.
    assert "wagtail-userbar" not in admin_client.get(page.url).content.decode()
