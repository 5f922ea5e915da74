"""The press page: what a journalist needs on one page, in the reader's language."""

from django.shortcuts import render
from django.utils.translation import get_language

from vigil.cases.services import case_featured
from vigil.core.models import CampaignSettings

from . import services


def _contact(campaign) -> dict | None:
    contact = {
        "name": campaign.press_contact_name,
        "email": campaign.press_contact_email,
        "phone": campaign.press_contact_phone,
        "messenger": campaign.press_contact_messenger,
    }
    return contact if any(contact.values()) else None


def press(request):
    """The featured case in brief, images to download, the latest statement, the press
    contact and the key documents; a section without content is left out."""
    language = get_language()
    case = case_featured(request=request, language=language)
    case_url = case.get_url(request) if case is not None else ""
    context = {
        "case": case,
        "case_url": case_url,
        "images": services.press_images_list(photo_id=case.photo_id if case else None),
        "statement": services.press_statement_latest(language=language),
        "contact": _contact(CampaignSettings.for_request(request)),
        "documents": services.press_documents_list(language=language, request=request),
    }
    return render(request, "press/press.html", context)
