import datetime as dt
import io
import zipfile

import factory
import wagtail_factories
from django.core.files.base import ContentFile
from fpdf import FPDF
from PIL import Image

from vigil.library.models import LibraryDocument, LibraryPage


def pdf_bytes(*, pages: int = 1, text: str = "Opinion of the Working Group") -> bytes:
    """A real, small PDF with the given number of pages."""
    pdf = FPDF()
    pdf.set_font("helvetica", size=12)
    for number in range(pages):
        pdf.add_page()
        pdf.cell(text=f"{text}, page {number + 1}")
    return bytes(pdf.output())


def png_bytes() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (4, 4), "red").save(buffer, format="PNG")
    return buffer.getvalue()


def jpeg_bytes() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (4, 4), "blue").save(buffer, format="JPEG")
    return buffer.getvalue()


def docx_bytes() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
    return buffer.getvalue()


def odt_bytes() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.text")
        archive.writestr("content.xml", "<office:document-content/>")
    return buffer.getvalue()


HTML = b"<!DOCTYPE html><html><body><script>alert(1)</script></body></html>"
SVG = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'


class LibraryPageFactory(wagtail_factories.PageFactory):
    title = "Library"
    slug = "library"

    class Meta:
        model = LibraryPage


class LibraryDocumentFactory(factory.django.DjangoModelFactory):
    title = factory.Sequence(lambda n: f"Document number {n}")
    file = factory.LazyAttribute(lambda o: ContentFile(pdf_bytes(), name="opinion.pdf"))
    date = factory.Sequence(lambda n: dt.date(2022, 1, 1) + dt.timedelta(days=n))
    issuer = "UN Working Group on Arbitrary Detention"
    kind = "un-opinion"
    language = "en"
    summary = factory.LazyAttribute(lambda o: f"Summary of {o.title}.")

    class Meta:
        model = LibraryDocument
