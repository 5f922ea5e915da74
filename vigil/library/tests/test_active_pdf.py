"""PDFs that can act by themselves (JavaScript, launch, embedded files) are refused."""

import io

import pytest
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.management import call_command

from vigil.library import services
from vigil.library.models import LibraryDocument
from vigil.testing.payloads import pdf_with

from .factories import LibraryDocumentFactory


def inspect(content: bytes):
    return services.document_inspect(file=ContentFile(content, name="opinion.pdf"))


@pytest.mark.parametrize(
    "options, named",
    [
        ({"open_action": "/JavaScript"}, "JavaScript"),
        ({"open_action": "/Launch"}, "commands that start programs"),
        ({"names_js": True}, "JavaScript"),
        ({"attachment": True}, "embedded files"),
    ],
)
def test_a_pdf_with_active_content_is_refused_saying_what_it_holds(options, named):
    with pytest.raises(ValidationError) as refused:
        inspect(pdf_with(**options))
    assert refused.value.code == "pdf_active"
    assert named in refused.value.messages[0]
    assert "Print to PDF" in refused.value.messages[0]


def test_a_plain_pdf_with_links_is_taken():
    facts = inspect(pdf_with(link=True))
    assert facts.media_type == services.PDF and facts.page_count == 1


@pytest.mark.django_db
def test_stored_pdfs_with_active_content_are_listed_for_the_editor_to_replace():
    plain = LibraryDocumentFactory(title="Plain")
    # Uploaded before the check: written past it, as an old version stored it.
    active = LibraryDocumentFactory(title="Active")
    with open(active.file.path, "wb") as handle:
        handle.write(pdf_with(open_action="/JavaScript"))
    output = io.StringIO()
    with pytest.raises(SystemExit):
        call_command("library_active_pdfs", stdout=output)
    assert f"{active.pk} {active.file.name}: JavaScript" in output.getvalue()
    assert plain.file.name not in output.getvalue().split()
    assert LibraryDocument.objects.count() == 2
