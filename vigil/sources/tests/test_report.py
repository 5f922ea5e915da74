"""The editors' report of broken sources in the Wagtail admin."""

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.urls import reverse

from vigil.news.tests.factories import UpdatePageFactory, references_add
from vigil.sources.models import SourceLink

REPORT = "sources_report:broken"
BROKEN = "http://127.0.0.1:9/gone-for-good"


@pytest.fixture
def broken_source(updates_index):
    update = UpdatePageFactory(parent=updates_index, title="Closed trial report")
    references_add(update, {"title": "Court notice", "url": BROKEN})
    SourceLink.objects.create(url=BROKEN, status="broken", http_status=404, error="Not Found")
    SourceLink.objects.create(url="http://127.0.0.1:9/fine", status="ok", http_status=200)
    return update


def _user(username, *, superuser=False, codenames=()):
    model = get_user_model()
    if superuser:
        return model.objects.create_superuser(username, f"{username}@example.org", "x" * 16)
    user = model.objects.create_user(username, f"{username}@example.org", "x" * 16)
    user.user_permissions.add(*Permission.objects.filter(codename__in=codenames))
    return user


@pytest.mark.django_db
def test_report_lists_broken_sources_and_where_they_are_cited(client, broken_source):
    """A superuser sees the broken address, its status, and a link to the citing update."""
    client.force_login(_user("admin", superuser=True))
    response = client.get(reverse(REPORT))
    html = response.content.decode()
    assert response.status_code == 200
    assert BROKEN in html
    assert "Broken (404)" in html
    assert "Closed trial report" in html
    assert reverse("wagtailadmin_pages:edit", args=[broken_source.pk]) in html
    assert "127.0.0.1:9/fine" not in html


@pytest.mark.django_db
def test_editors_with_the_view_permission_see_the_report(client, broken_source):
    """Admin access plus sources.view_sourcelink is enough."""
    client.force_login(_user("editor", codenames=["access_admin", "view_sourcelink"]))
    response = client.get(reverse(REPORT))
    assert response.status_code == 200
    assert BROKEN in response.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("codenames", [(), ("access_admin",)])
def test_the_report_is_forbidden_without_the_permission(client, broken_source, codenames):
    """Non-staff users and admin users without the permission are turned away."""
    client.force_login(_user("reader", codenames=codenames))
    response = client.get(reverse(REPORT))
    assert response.status_code in (302, 403)
    assert BROKEN not in response.content.decode()


@pytest.mark.django_db
def test_report_menu_item_is_shown_only_with_the_permission(client):
    """The Reports menu offers the report to those who may see it."""
    client.force_login(_user("editor", codenames=["access_admin", "view_sourcelink"]))
    assert reverse(REPORT) in client.get(reverse("wagtailadmin_home")).content.decode()
    client.force_login(_user("other", codenames=["access_admin"]))
    assert reverse(REPORT) not in client.get(reverse("wagtailadmin_home")).content.decode()
