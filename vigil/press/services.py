"""What the press page reads: each a fixed number of queries, whatever the site holds."""

from dataclasses import dataclass

from django.conf import settings
from django.db.models import Case, Exists, OuterRef, Q, Value, When

from vigil.core.services import pages_public
from vigil.images.models import CampaignImage
from vigil.library.models import LibraryPage, documents_visible
from vigil.news.models import UpdatePage

# The Wagtail collection whose images the press page offers beside the portrait.
PRESS_COLLECTION = "Press"
# The tag that marks the campaign's statements (the demo's "Statements").
STATEMENT_TAG = "statements"
THUMBNAIL = "fill-320x400"
DOWNLOAD = "max-2000x2000"


@dataclass
class KeyDocument:
    document: object
    url: str


def press_images_list(*, photo_id: int | None) -> list:
    """The case's portrait first, then the images in the "Press" collection, with both
    renditions the page shows in one more query."""
    wanted = Q(collection__name=PRESS_COLLECTION)
    if photo_id is not None:
        wanted |= Q(pk=photo_id)
    images = (
        CampaignImage.objects.filter(wanted)
        .annotate(portrait=Case(When(pk=photo_id, then=Value(0)), default=Value(1)))
        .order_by("portrait", "title", "pk")
        .prefetch_renditions(THUMBNAIL, DOWNLOAD)
    )
    return list(images)


def _in_language(pages, *, language: str):
    """`pages` in `language`, or in the default language where none is."""
    return pages.filter(locale__language_code__in={language, settings.LANGUAGE_CODE}).annotate(
        in_language=Case(When(locale__language_code=language, then=Value(0)), default=Value(1))
    )


def press_statement_latest(*, language: str):
    """The newest live, public update tagged as a statement, else the newest update; in
    `language`, or in the default language if there is none in it. One query."""
    tagged = UpdatePage.tags.through.objects.filter(
        content_object_id=OuterRef("pk"), tag__slug=STATEMENT_TAG
    )
    updates = _in_language(pages_public(UpdatePage.objects.live()), language=language)
    return (
        updates.defer_streamfields()
        .annotate(is_statement=Exists(tagged))
        .order_by("in_language", "-is_statement", "-date", "-pk")
        .first()
    )


def press_documents_list(*, language: str, request) -> list[KeyDocument]:
    """The key documents readers may see, newest first, each with its address on the
    library page in `language` (or the default language's); none without a library."""
    library = (
        _in_language(pages_public(LibraryPage.objects.live()), language=language)
        .order_by("in_language")
        .first()
    )
    if library is None:
        return []
    base = library.get_url(request)
    documents = documents_visible().filter(key_document=True)
    return [KeyDocument(document=document, url=f"{base}{document.slug}/") for document in documents]
