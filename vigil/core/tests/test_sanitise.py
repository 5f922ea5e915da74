"""Rich text is cleaned on every write path: a hand-made admin post stores no script."""

import json

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse
from wagtail.test.utils.form_data import inline_formset, nested_form_data, rich_text, streamfield

from vigil.actions.tests.factories import PetitionPageFactory
from vigil.core.services import richtext_stored_clean
from vigil.pages.models import StandardPage
from vigil.pages.tests.factories import StandardPageFactory

pytestmark = pytest.mark.django_db

RAW_ATTACK = (
    '<p>Kept text</p><script>alert(1)</script><img src="x" onerror="alert(2)">'
    '<a href="javascript:alert(3)">link</a><p onclick="alert(4)">para</p>'
)
# The editor's own JSON, with a script as text and a javascript: link.
DRAFTAIL_ATTACK = json.dumps(
    {
        "blocks": [
            {
                "key": "a1",
                "type": "unstyled",
                "text": "<script>alert(5)</script> click",
                "depth": 0,
                "inlineStyleRanges": [],
                "entityRanges": [{"offset": 26, "length": 5, "key": 0}],
            }
        ],
        "entityMap": {
            "0": {"type": "LINK", "mutability": "MUTABLE", "data": {"url": "javascript:x()"}}
        },
    }
)


def assert_clean(html: str):
    lowered = html.lower()
    for bad in ("<script", "onerror", "onclick", "javascript:", '<img src="x"'):
        assert bad not in lowered, (bad, html)


@pytest.fixture
def editor_client(client):
    user = get_user_model().objects.create_superuser("editor", "e@example.org", "x" * 16)
    client.force_login(user)
    return client


def _page_form(page, paragraph_value):
    return nested_form_data(
        {
            "title": page.title,
            "slug": page.slug,
            "intro": "Intro",
            "body": streamfield([("paragraph", paragraph_value)]),
            "references": inline_formset([]),
            "comments": inline_formset([]),
            "action-publish": "publish",
        }
    )


@pytest.mark.parametrize("payload", [RAW_ATTACK, DRAFTAIL_ATTACK], ids=["raw-html", "draftail"])
def test_a_crafted_admin_post_stores_and_shows_no_script(editor_client, home, payload):
    page = StandardPageFactory(parent=home, slug="background")
    url = reverse("wagtailadmin_pages:edit", args=[page.pk])
    response = editor_client.post(url, _page_form(page, payload))
    assert response.status_code == 302, response.content.decode()[:3000]
    page = StandardPage.objects.get(pk=page.pk)
    stored = page.body.raw_data[0]["value"]
    assert_clean(stored)
    assert "Kept text" in stored or "click" in stored
    public = editor_client.get(page.url)
    assert public.status_code == 200
    assert_clean(public.content.decode().split("<main", 1)[1])


def test_the_editors_own_output_is_stored_unchanged(editor_client, home):
    page = StandardPageFactory(parent=home, slug="background")
    url = reverse("wagtailadmin_pages:edit", args=[page.pk])
    html = '<p>See <a href="https://example.org/?a=1&amp;b=2">this</a> and <b>that</b>.</p>'
    response = editor_client.post(url, _page_form(page, rich_text(html)))
    assert response.status_code == 302
    stored = StandardPage.objects.get(pk=page.pk).body.raw_data[0]["value"]
    assert 'href="https://example.org/?a=1&amp;b=2"' in stored
    assert "<b>that</b>" in stored


def test_a_petitions_rich_text_field_is_cleaned_too(editor_client, home):
    """RichTextField (not a block) goes through the same editor widget."""
    petition = PetitionPageFactory(parent=home)
    widget_value = petition.get_edit_handler().get_form_class()().fields["text"].widget
    assert_clean(widget_value.value_from_datadict({"text": RAW_ATTACK}, {}, "text"))


def test_wagtail_embeds_survive_cleaning():
    """Wagtail finds image embeds only as `<embed …/>`; cleaning keeps that form."""
    html = '<p data-block-key="k">a</p><embed alt="A" embedtype="image" format="left" id="7"/>'
    assert richtext_stored_clean(html=html) == html
    internal = '<p data-block-key="k"><a id="3" linktype="page">home</a></p>'
    assert richtext_stored_clean(html=internal) == internal
