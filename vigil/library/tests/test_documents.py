"""Library documents are checked by content on upload and served safely."""

import hashlib
import re
import shutil
import subprocess

import pytest
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from wagtail.models import Collection

from vigil.library import services
from vigil.library.models import LibraryDocument

from .factories import (
    HTML,
    SVG,
    LibraryDocumentFactory,
    docx_bytes,
    jpeg_bytes,
    odt_bytes,
    pdf_bytes,
    png_bytes,
)

# -- document_inspect -----------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "content", "media_type"),
    [
        ("opinion.pdf", pdf_bytes(), "application/pdf"),
        ("photo.png", png_bytes(), "image/png"),
        ("photo.jpg", jpeg_bytes(), "image/jpeg"),
        ("photo.jpeg", jpeg_bytes(), "image/jpeg"),
        ("letter.docx", docx_bytes(), services.DOCX),
        ("letter.odt", odt_bytes(), services.ODT),
        ("notes.txt", "Свободу! Free him.\n".encode(), "text/plain"),
        ("dates.csv", b"date,event\n2022-01-01,arrest\n", "text/csv"),
    ],
)
def test_inspect_accepts_files_whose_content_matches_their_name(name, content, media_type):
    """Each accepted kind is recognised by its bytes, with checksum and size."""
    facts = services.document_inspect(file=ContentFile(content, name=name))
    assert facts.media_type == media_type
    assert facts.size == len(content)
    assert facts.sha256 == hashlib.sha256(content).hexdigest()


def test_inspect_counts_pdf_pages():
    """A PDF's page count is read with pypdf."""
    facts = services.document_inspect(file=ContentFile(pdf_bytes(pages=4), name="a.pdf"))
    assert facts.page_count == 4


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("opinion.pdf", HTML, "markup"),
        ("notes.txt", HTML, "markup"),
        ("notes.txt", SVG, "markup"),
        ("notes.txt", b'<?xml version="1.0"?><root/>', "markup"),
        ("image.svg", SVG, "not accepted"),
        ("page.html", HTML, "not accepted"),
        ("opinion.pdf", png_bytes(), "does not match"),
        ("photo.png", pdf_bytes(), "does not match"),
        ("letter.docx", odt_bytes(), "does not match"),
        ("letter.docx", b"PK\x03\x04 not really a zip", "does not match"),
        ("notes.txt", b"binary\x00data", "does not match"),
        ("notes.txt", b"\xff\xfe\xfa not utf-8", "does not match"),
        ("opinion.pdf", b"%PDF-1.4\nthis is not a real pdf", "damaged"),
        ("opinion.pdf", b"", "empty"),
        ("noextension", b"hello", "not accepted"),
    ],
)
def test_inspect_refuses_files_by_content(name, content, message):
    """Markup, mismatched, broken, empty and unlisted files are refused with a clear reason."""
    with pytest.raises(ValidationError) as caught:
        services.document_inspect(file=ContentFile(content, name=name))
    assert message in caught.value.messages[0]


def test_inspect_refuses_files_over_the_limit(settings):
    """LIBRARY_MAX_UPLOAD_BYTES caps the size, however the file is named."""
    settings.LIBRARY_MAX_UPLOAD_BYTES = 1000
    with pytest.raises(ValidationError, match="too large"):
        services.document_inspect(file=ContentFile(b"a" * 1001, name="notes.txt"))
    facts = services.document_inspect(file=ContentFile(b"a" * 1000, name="notes.txt"))
    assert facts.size == 1000


def test_inspect_limit_defaults_to_twenty_megabytes(settings):
    """Without the setting the limit is 20 MB."""
    if hasattr(settings, "LIBRARY_MAX_UPLOAD_BYTES"):
        del settings.LIBRARY_MAX_UPLOAD_BYTES
    assert services.library_max_upload_bytes() == 20 * 1024 * 1024


# -- the stored document ------------------------------------------------------------


@pytest.mark.django_db
def test_saved_document_records_checksum_size_and_pages_of_the_stored_file():
    """sha256, file_size and page_count describe exactly the bytes on disk."""
    content = pdf_bytes(pages=3)
    document = LibraryDocumentFactory(file=ContentFile(content, name="opinion.pdf"))
    document.refresh_from_db()
    with document.file.open("rb") as stored:
        on_disk = stored.read()
    assert document.sha256 == hashlib.sha256(on_disk).hexdigest()
    assert document.sha256 == hashlib.sha256(content).hexdigest()
    assert document.file_size == len(on_disk)
    assert document.page_count == 3
    assert document.media_type == "application/pdf"
    assert document.slug


@pytest.mark.django_db
@pytest.mark.skipif(shutil.which("sha256sum") is None, reason="sha256sum not installed")
def test_checksum_matches_sha256sum():
    """The published checksum is what a reader's `sha256sum` prints."""
    document = LibraryDocumentFactory()
    output = subprocess.run(
        ["sha256sum", document.file.path], check=True, capture_output=True, text=True
    ).stdout
    assert output.split()[0] == document.sha256


@pytest.mark.django_db
def test_saving_a_bad_file_without_a_form_is_refused():
    """Even outside the admin a renamed HTML page is never stored."""
    with pytest.raises(ValidationError):
        LibraryDocumentFactory(file=ContentFile(HTML, name="opinion.pdf"))
    assert not LibraryDocument.objects.exists()


@pytest.mark.django_db
def test_slugs_are_made_unique_from_titles():
    """Two documents with the same title get different public addresses."""
    first = LibraryDocumentFactory(title="Opinion 1/2023")
    second = LibraryDocumentFactory(title="Opinion 1/2023")
    assert first.slug == "opinion-12023"
    assert second.slug == "opinion-12023-2"


@pytest.mark.django_db
def test_a_title_in_russian_or_kazakh_keeps_its_letters_in_the_slug():
    """Documents titled in Russian or Kazakh get addresses that say what they are, as pages
    do, not "document", "document-2"."""
    russian = LibraryDocumentFactory(title="Заявление КНБ от 8 января 2022 года")
    kazakh = LibraryDocumentFactory(title="Қазақстан Республикасының Бас прокуратурасы")
    symbols = LibraryDocumentFactory(title="§ ¶")
    assert russian.slug == "заявление-кнб-от-8-января-2022-года"
    assert kazakh.slug == "қазақстан-республикасының-бас-прокуратурасы"
    assert symbols.slug == "document"
    russian.full_clean()  # an editor saving the form keeps it


# -- the admin --------------------------------------------------------------------


def _root_collection_id():
    return Collection.get_first_root_node().pk


def _single_add(client, name, content):
    return client.post(
        reverse("wagtaildocs:add"),
        {
            "title": "Uploaded",
            "file": SimpleUploadedFile(name, content),
            "collection": _root_collection_id(),
            "tags": "",
        },
    )


def _multiple_add(client, name, content):
    return client.post(
        reverse("wagtaildocs:add_multiple"),
        {
            "title": name,
            "collection": _root_collection_id(),
            "files[]": SimpleUploadedFile(name, content),
        },
    )


@pytest.mark.django_db
def test_admin_single_upload_stores_facts(admin_client):
    """The admin's add view stores a good PDF with checksum and page count."""
    content = pdf_bytes(pages=2)
    response = _single_add(admin_client, "opinion.pdf", content)
    assert response.status_code == 302
    document = LibraryDocument.objects.get()
    assert document.sha256 == hashlib.sha256(content).hexdigest()
    assert document.page_count == 2
    assert document.file_size == len(content)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("name", "content"),
    [("opinion.pdf", HTML), ("image.svg", SVG), ("page.html", HTML), ("opinion.pdf", png_bytes())],
)
def test_admin_single_upload_refuses_bad_files(admin_client, name, content):
    """The add view shows the form again with the reason and stores nothing."""
    response = _single_add(admin_client, name, content)
    assert response.status_code == 200
    assert "file" in response.context["form"].errors
    assert not LibraryDocument.objects.exists()


@pytest.mark.django_db
def test_admin_single_upload_refuses_too_large(admin_client, settings):
    """The size limit applies in the admin too."""
    settings.LIBRARY_MAX_UPLOAD_BYTES = 500
    response = _single_add(admin_client, "opinion.pdf", pdf_bytes(pages=3))
    assert response.status_code == 200
    assert "too large" in " ".join(response.context["form"].errors["file"])
    assert not LibraryDocument.objects.exists()


@pytest.mark.django_db
def test_admin_multiple_upload_stores_facts(admin_client):
    """The multiple uploader stores a good PDF with checksum and page count."""
    content = pdf_bytes(pages=5)
    response = _multiple_add(admin_client, "opinion.pdf", content)
    assert response.status_code == 200
    assert response.json()["success"] is True
    document = LibraryDocument.objects.get()
    assert document.sha256 == hashlib.sha256(content).hexdigest()
    assert document.page_count == 5


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("opinion.pdf", HTML, "markup"),
        ("image.svg", SVG, "svg"),
        ("opinion.pdf", png_bytes(), "does not match"),
    ],
)
def test_admin_multiple_upload_refuses_bad_files(admin_client, name, content, message):
    """The multiple uploader rejects the file with the reason and stores nothing."""
    response = _multiple_add(admin_client, name, content)
    data = response.json()
    assert data["success"] is False
    assert message in data["error_message"]
    assert not LibraryDocument.objects.exists()


@pytest.mark.django_db
def test_admin_edit_replacing_the_file_is_checked(admin_client):
    """Replacing a document's file with HTML is refused and the old file kept."""
    document = LibraryDocumentFactory()
    old_hash = document.sha256
    response = admin_client.post(
        reverse("wagtaildocs:edit", args=[document.pk]),
        {
            "title": document.title,
            "file": SimpleUploadedFile("opinion.pdf", HTML),
            "collection": _root_collection_id(),
            "slug": document.slug,
            "tags": "",
        },
    )
    assert response.status_code == 200
    document.refresh_from_db()
    assert document.sha256 == old_hash


# -- serving ------------------------------------------------------------------------


@pytest.mark.django_db
def test_pdf_is_served_inline_as_pdf_with_nosniff(client):
    """A PDF opens in the browser with its real type and no sniffing."""
    document = LibraryDocumentFactory()
    response = client.get(document.url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Disposition"].startswith("inline")
    assert b"".join(response.streaming_content) == document.file.open("rb").read()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("name", "content", "media_type"),
    [
        ("notes.txt", b"plain words\n", "text/plain"),
        ("photo.png", png_bytes(), "image/png"),
        ("letter.docx", docx_bytes(), services.DOCX),
    ],
)
def test_other_files_are_downloaded_never_shown(client, name, content, media_type):
    """Everything but PDF is sent as an attachment with the type found by content."""
    document = LibraryDocumentFactory(file=ContentFile(content, name=name))
    response = client.get(document.url)
    assert response.status_code == 200
    assert response["Content-Type"].split(";")[0] == media_type
    assert response["Content-Disposition"].startswith("attachment")
    assert response["X-Content-Type-Options"] == "nosniff"


@pytest.mark.django_db
def test_documents_carry_a_real_etag_and_no_content_encoding(client):
    """A plain file has no Content-Encoding (it was the text "None") and an ETag of its
    content (it was "" for every document, so a cache could take one for another); a
    client holding it gets 304, and a replaced file a new ETag."""
    first = LibraryDocumentFactory(file=ContentFile(pdf_bytes(text="First"), name="one.pdf"))
    second = LibraryDocumentFactory(file=ContentFile(b"plain words\n", name="notes.txt"))
    etags = set()
    for document in (first, second):
        response = client.get(document.url)
        assert response.status_code == 200
        assert "Content-Encoding" not in response
        etag = response["ETag"]
        assert re.fullmatch(r'"[0-9a-f]{40}"', etag)
        etags.add(etag)
        assert client.get(document.url, HTTP_IF_NONE_MATCH=etag).status_code == 304
    assert len(etags) == 2
    assert client.get(first.url, HTTP_IF_NONE_MATCH='""').status_code == 200

    first.file = ContentFile(pdf_bytes(text="Second"), name="one.pdf")
    first.save()
    response = client.get(first.url)
    assert response.status_code == 200 and response["ETag"] not in etags
