"""The press contact and licence fields editors fill in."""

import pytest
from wagtail.models import Site

from vigil.core.models import CampaignSettings
from vigil.images.models import CampaignImage
from vigil.library.models import LibraryDocument

PRESS_FIELDS = (
    "press_contact_name",
    "press_contact_email",
    "press_contact_phone",
    "press_contact_messenger",
)


def test_press_fields_are_optional_and_explained():
    for name in PRESS_FIELDS:
        field = CampaignSettings._meta.get_field(name)
        assert field.blank and field.help_text, name


def test_the_press_panel_holds_the_contact():
    panel = next(p for p in CampaignSettings.panels if str(p.heading) == "Press")
    assert [child.field_name for child in panel.children] == list(PRESS_FIELDS)


def test_licence_and_key_document_are_in_the_admin_forms():
    assert "licence" in CampaignImage.admin_form_fields
    assert CampaignImage._meta.get_field("licence").help_text
    assert "key_document" in LibraryDocument.admin_form_fields
    assert LibraryDocument._meta.get_field("key_document").default is False


@pytest.mark.django_db
def test_the_contact_is_saved(home):
    campaign = CampaignSettings.for_site(Site.objects.get(is_default_site=True))
    campaign.press_contact_email = "press@example.org"
    campaign.press_contact_messenger = "Signal: @vigil.01"
    campaign.save()
    campaign.refresh_from_db()
    assert campaign.press_contact_email == "press@example.org"
