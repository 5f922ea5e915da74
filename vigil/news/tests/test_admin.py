"""Editors work in the Wagtail admin: what they can create where, and what the forms refuse."""

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse
from modelcluster.fields import ParentalKey
from wagtail.test.utils.form_data import (
    inline_formset,
    nested_form_data,
    rich_text,
    streamfield,
)

from vigil.cases.models import CaseIndexPage, CasePage
from vigil.news.models import UpdateIndexPage, UpdatePage
from vigil.pages.models import HomePage, StandardPage


@pytest.fixture
def editor_client(client, db):
    user = get_user_model().objects.create_superuser("editor", "editor@example.org", "x" * 16)
    client.force_login(user)
    return client


def _update_form(**overrides):
    data = {
        "title": "Court sits again",
        "slug": "court-sits-again",
        "date": "2022-11-18 10:00",
        "author": "Campaign team",
        "summary": "The closed trial began in Astana.",
        "body": streamfield(
            [("paragraph", rich_text("<p>The hearing was closed to the public [1].</p>"))]
        ),
        "references": inline_formset(
            [{"title": "Court notice", "publisher": "Court", "published_on": "", "url": ""}]
        ),
        "tags": "Court, Trial",
        "series": "",
        "chapter": "",
        "updated_at": "",
        "action-publish": "publish",
    }
    data.update(overrides)
    return nested_form_data(data)


def test_editor_publishes_an_update_with_a_reference(editor_client, updates_index):
    url = reverse("wagtailadmin_pages:add", args=("news", "updatepage", updates_index.pk))
    response = editor_client.post(url, _update_form())
    assert response.status_code == 302, response.content.decode()[:2000]
    update = UpdatePage.objects.get(slug="court-sits-again", alias_of__isnull=True)
    assert update.live
    aliases = UpdatePage.objects.filter(alias_of=update)
    assert sorted(aliases.values_list("locale__language_code", flat=True)) == ["kk", "ru"], (
        "until it is translated, the update appears in English in the other languages"
    )
    assert [r.title for r in update.references.all()] == ["Court notice"]
    assert sorted(t.name for t in update.tags.all()) == ["Court", "Trial"]
    page = editor_client.get(update.url).content.decode()
    assert 'href="#ref-1"' in page


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"summary": "x" * 401}, "at most 400 characters"),
        ({"date": "not a date"}, "Enter a valid date"),
        ({"chapter": "2"}, "Choose the series this chapter belongs to."),
        ({"updated_at": "2021-01-01 10:00"}, "cannot be earlier than the publication date"),
        ({"title": "x" * 300}, "at most 255 characters"),
    ],
)
def test_bad_update_forms_store_nothing(editor_client, updates_index, overrides, message):
    """A clear message on the form, and no page is created."""
    url = reverse("wagtailadmin_pages:add", args=("news", "updatepage", updates_index.pk))
    response = editor_client.post(url, _update_form(**overrides))
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not UpdatePage.objects.filter(slug="court-sits-again").exists()


def test_an_update_without_a_summary_is_published_with_its_opening_as_teaser(
    editor_client, updates_index
):
    """The summary may be left empty: the page shows nothing above the text, and lists
    show the opening of the text instead."""
    url = reverse("wagtailadmin_pages:add", args=("news", "updatepage", updates_index.pk))
    response = editor_client.post(url, _update_form(summary=""))
    assert response.status_code == 302, response.content.decode()[:2000]
    update = UpdatePage.objects.get(slug="court-sits-again", alias_of__isnull=True)
    assert update.summary == ""
    assert update.teaser == "The hearing was closed to the public."
    page = editor_client.get(update.url).content.decode()
    assert 'class="lede"' not in page
    listing = editor_client.get(updates_index.url).content.decode()
    assert '<p class="card__summary">The hearing was closed to the public.</p>' in listing


def test_page_types_only_go_under_sensible_parents(home, updates_index):
    """Updates only under the updates index; cases only under the cases index; one index each."""
    assert UpdatePage.can_create_at(updates_index)
    assert not UpdatePage.can_create_at(home)
    assert not StandardPage.can_create_at(updates_index)
    assert StandardPage.can_create_at(home)
    assert not UpdateIndexPage.can_create_at(home)  # there is one already
    assert CaseIndexPage.can_create_at(home)
    assert not CasePage.can_create_at(home)
    assert not HomePage.can_create_at(home)


def test_every_editor_field_has_help_text():
    """Editors are not technical: every field they fill in says what it is for."""
    from django.apps import apps

    own_apps = {"core", "pages", "news", "cases", "images", "library"}
    missing = []
    for model in apps.get_models():
        if model._meta.app_label not in own_apps:
            continue
        for field in model._meta.get_fields():
            if not getattr(field, "editable", False) or field.auto_created:
                continue
            if isinstance(field, ParentalKey):  # the link to the parent, never typed in
                continue
            if field.model is not model or field.name in {
                "page",
                "sort_order",
                "image",
                "content_object",
                "tag",
            }:
                continue
            if not field.help_text:
                missing.append(f"{model.__name__}.{field.name}")
    parent_fields = {
        f"{m}.{f}"
        for m in ("CampaignImage", "LibraryDocument", "CampaignRendition")
        for f in (
            "title",
            "file",
            "collection",
            "tags",
            "focal_point_x",
            "focal_point_y",
            "focal_point_width",
            "focal_point_height",
            "file_size",
            "file_hash",
            "width",
            "height",
            "created_at",
            "uploaded_by_user",
            "description",
            "filter_spec",
            "focal_point_key",
        )
    }
    assert sorted(set(missing) - parent_fields) == []


BLANK_REFERENCE = {"title": "", "publisher": "", "published_on": "", "url": ""}


@pytest.mark.parametrize("action", ["action-publish", "action-draft"])
def test_a_reference_row_left_empty_is_dropped(editor_client, updates_index, action):
    """An added row nobody filled in (autosave keeps the editor's half-made form) is not
    stored: publishing is not stopped by it, and no draft keeps a reference without a title."""
    form = _update_form(
        references=inline_formset(
            [
                {"title": "Court notice", "publisher": "Court", "published_on": "", "url": ""},
                BLANK_REFERENCE,
            ]
        ),
        **{"action-publish": ""},
    )
    form[action] = action.removeprefix("action-")
    url = reverse("wagtailadmin_pages:add", args=("news", "updatepage", updates_index.pk))
    response = editor_client.post(url, form)
    assert response.status_code == 302, response.content.decode()[:2000]
    update = UpdatePage.objects.get(slug="court-sits-again", alias_of__isnull=True)
    draft = update.get_latest_revision_as_object()
    assert [r.title for r in draft.references.all()] == ["Court notice"]
    assert update.live == (action == "action-publish")
