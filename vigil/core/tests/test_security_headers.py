"""A strict Content-Security-Policy on every public page; the admin keeps its own."""

import pytest

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


def test_admin_is_left_to_wagtail(admin_client):
    """Wagtail's admin uses inline code of its own; the public policy would break it."""
    assert "Content-Security-Policy" not in admin_client.get("/admin/")


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
