"""Autosave keeps an existing page's draft, but never creates a page (issue 17).

In Wagtail 8 the first autosave on "Add page" creates the page, and wagtail-localize then
copies it into Russian and Kazakh: every abandoned "Add update" left three pages behind.
"""

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from vigil.news.models import UpdatePage

AUTOSAVE_INTERVAL = "data-w-autosave-interval-value"


@pytest.fixture
def editor_client(client, db):
    user = get_user_model().objects.create_superuser("editor", "editor@example.org", "x" * 16)
    client.force_login(user)
    return client


def test_adding_an_update_does_not_autosave(editor_client, updates_index):
    url = reverse("wagtailadmin_pages:add", args=("news", "updatepage", updates_index.pk))
    response = editor_client.get(url)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="page-edit-form"' in html
    assert AUTOSAVE_INTERVAL not in html
    assert "w-autosave#save" not in html
    assert not response.context["autosave_enabled"]


def test_editing_an_update_keeps_autosave(editor_client, updates_index):
    update = updates_index.add_child(
        instance=UpdatePage(title="Court sits again", slug="court-sits-again", summary="Closed.")
    )
    response = editor_client.get(reverse("wagtailadmin_pages:edit", args=(update.pk,)))
    assert response.status_code == 200
    html = response.content.decode()
    assert AUTOSAVE_INTERVAL in html
    assert response.context["autosave_enabled"]
