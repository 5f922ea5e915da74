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
