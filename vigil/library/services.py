"""What a library document really is, and which documents a reader sees.

`document_inspect` decides by the file's *content*, never by its name or the
browser's claimed type: a renamed HTML page is refused whatever it is called.
"""

import codecs
import hashlib
import os
import zipfile
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet
from django.db.models.functions import ExtractYear
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

CHUNK_SIZE = 64 * 1024
HEAD_SIZE = 4096
DEFAULT_MAX_UPLOAD_BYTES = 20 * 1024 * 1024
SEARCH_MAX_LENGTH = 200

PDF = "application/pdf"
PNG = "image/png"
JPEG = "image/jpeg"
TEXT = "text/plain"
CSV = "text/csv"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
ODT = "application/vnd.oasis.opendocument.text"
ODS = "application/vnd.oasis.opendocument.spreadsheet"

# The one type each accepted extension must turn out to be.
TYPE_BY_EXTENSION = {
    "pdf": PDF,
    "png": PNG,
    "jpg": JPEG,
    "jpeg": JPEG,
    "txt": TEXT,
    "csv": CSV,
    "docx": DOCX,
    "xlsx": XLSX,
    "odt": ODT,
    "ods": ODS,
}

# Markup a browser could render or run; refused even inside a `.txt`.
MARKUP_MARKERS = (
    b"<!doctype",
    b"<html",
    b"<head",
    b"<body",
    b"<script",
    b"<svg",
    b"<?xml",
    b"<iframe",
    b"<object",
    b"<embed",
    b"<meta",
    b"<a ",
)


@dataclass(frozen=True)
class DocumentFacts:
    """What inspecting a file's bytes found out."""

    sha256: str
    size: int
    # Wagtail's file_hash (SHA-1): the ETag documents are served with.
    sha1: str
    media_type: str
    page_count: int | None


def library_max_upload_bytes() -> int:
    return getattr(settings, "LIBRARY_MAX_UPLOAD_BYTES", DEFAULT_MAX_UPLOAD_BYTES)


def _describe(media_type: str | None) -> str:
    names = {
        PDF: _("a PDF"),
        PNG: _("a PNG image"),
        JPEG: _("a JPEG image"),
        TEXT: _("plain text"),
        DOCX: _("a Word document"),
        XLSX: _("an Excel spreadsheet"),
        ODT: _("an OpenDocument text"),
        ODS: _("an OpenDocument spreadsheet"),
        "zip": _("a ZIP archive"),
    }
    return names.get(media_type, _("of an unknown kind"))


def _looks_like_markup(head: bytes) -> bool:
    sample = head[:HEAD_SIZE].lstrip(b"\xef\xbb\xbf \t\r\n\x0c").lower()
    if sample.startswith(b"<"):
        return True
    return any(marker in sample for marker in MARKUP_MARKERS)


def _zip_kind(file) -> str | None:
    """The office format a ZIP file holds, 'zip' for any other ZIP, None if unreadable."""
    file.seek(0)
    try:
        with zipfile.ZipFile(file) as archive:
            names = set(archive.namelist())
            if "mimetype" in names:
                declared = archive.read("mimetype")[:100].strip().decode("ascii", "replace")
                if declared in (ODT, ODS):
                    return declared
            if "[Content_Types].xml" in names:
                if "word/document.xml" in names:
                    return DOCX
                if "xl/workbook.xml" in names:
                    return XLSX
            return "zip"
    except (zipfile.BadZipFile, OSError, ValueError, KeyError, RuntimeError, EOFError):
        return None


# PDF actions that run code, start programs, send data out or fetch other files when a
# reader opens, clicks or scrolls; plain links (/URI) and jumps (/GoTo) stay.
ACTIVE_ACTIONS = {
    "/JavaScript": "JavaScript",
    "/Launch": "launch",
    "/SubmitForm": "form submission",
    "/ImportData": "data import",
    "/GoToE": "embedded-file jump",
    "/GoToR": "remote-file jump",
    "/Rendition": "media",
    "/RichMediaExecute": "media",
    "/Movie": "media",
    "/Sound": "media",
}
ACTIVE_ANNOTATIONS = {
    "/FileAttachment": "embedded files",
    "/RichMedia": "media",
    "/Screen": "media",
    "/Movie": "media",
    "/Sound": "media",
}
# Dictionaries of a PDF walked at most, so a crafted file cannot keep a worker busy.
PDF_WALK_LIMIT = 200_000


def _pdf_dictionary_active(dictionary) -> set[str]:
    found = set()
    if "/JS" in dictionary or "/JavaScript" in dictionary:
        found.add("JavaScript")
    if "/EmbeddedFiles" in dictionary or "/EF" in dictionary:
        found.add("embedded files")
    if "/XFA" in dictionary:
        found.add("XFA form")
    action = dictionary.get("/S")
    if action in ACTIVE_ACTIONS:
        found.add(ACTIVE_ACTIONS[action])
    subtype = dictionary.get("/Subtype")
    if dictionary.get("/Type", "/Annot") == "/Annot" and subtype in ACTIVE_ANNOTATIONS:
        found.add(ACTIVE_ANNOTATIONS[subtype])
    return found


def pdf_active_content(*, reader) -> set[str]:
    """What in a PDF can act by itself: JavaScript, launch and submit actions, embedded
    files, XFA forms, media. Walks every object reachable from the trailer once (an
    /OpenAction or /AA trigger is found through the action it points to).
    """
    from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject

    found: set[str] = set()
    seen: set[tuple[int, int]] = set()
    stack = [reader.trailer]
    walked = 0
    while stack and walked < PDF_WALK_LIMIT:
        item = stack.pop()
        if isinstance(item, IndirectObject):
            key = (item.idnum, item.generation)
            if key in seen:
                continue
            seen.add(key)
            item = item.get_object()
        if isinstance(item, DictionaryObject):
            walked += 1
            found |= _pdf_dictionary_active(item)
            stack.extend(value for name, value in item.items() if name != "/Parent")
        elif isinstance(item, ArrayObject):
            stack.extend(item)
    return found


def _active_content_error(found: set[str]) -> ValidationError:
    names = {
        "JavaScript": _("JavaScript"),
        "launch": _("commands that start programs"),
        "form submission": _("forms that send data"),
        "data import": _("data imports"),
        "embedded-file jump": _("links into embedded files"),
        "remote-file jump": _("links that open other files"),
        "media": _("embedded audio or video"),
        "embedded files": _("embedded files"),
        "XFA form": _("an XFA form"),
    }
    return ValidationError(
        _(
            "This PDF contains active content (%(found)s), which could run in readers’ "
            "PDF viewers or reveal who opened it, so the library does not publish it. "
            "Save a plain copy (for example with “Print to PDF”) and upload that."
        )
        % {"found": ", ".join(sorted(str(names[name]) for name in found))},
        code="pdf_active",
    )


def _pdf_page_count(file) -> int:
    from pypdf import PdfReader

    file.seek(0)
    try:
        reader = PdfReader(file, strict=False)
        if reader.is_encrypted:
            raise ValidationError(
                _("This PDF is password-protected. Upload a copy without a password."),
                code="pdf_encrypted",
            )
        count = len(reader.pages)
        active = pdf_active_content(reader=reader)
    except ValidationError:
        raise
    except Exception as error:  # noqa: BLE001 - pypdf raises many kinds on broken files
        raise ValidationError(
            _("This PDF is damaged and cannot be read. Export it again and re-upload it."),
            code="pdf_broken",
        ) from error
    if count < 1:
        raise ValidationError(_("This PDF has no pages."), code="pdf_empty")
    if active:
        raise _active_content_error(active)
    return count


def _extension_accepted(name: str) -> str:
    """The file name's extension, where the library takes it; else ValidationError."""
    extension = os.path.splitext(name)[1][1:].lower()
    allowed = getattr(settings, "WAGTAILDOCS_EXTENSIONS", None) or list(TYPE_BY_EXTENSION)
    if extension not in TYPE_BY_EXTENSION or extension not in allowed:
        raise ValidationError(
            _("Files ending in “.%(extension)s” are not accepted. Accepted: %(allowed)s.")
            % {
                "extension": extension,
                "allowed": ", ".join(e for e in allowed if e in TYPE_BY_EXTENSION),
            },
            code="extension",
        )
    return extension


@dataclass
class _FileRead:
    """What one pass over a file's bytes learns: its digests, size, first bytes and
    whether it is all UTF-8 text."""

    digest: "hashlib._Hash" = field(default_factory=hashlib.sha256)
    sha1: "hashlib._Hash" = field(default_factory=lambda: hashlib.sha1(usedforsecurity=False))
    size: int = 0
    head: bytes = b""
    is_text: bool = True


def _file_read(file, *, limit: int, too_large: ValidationError) -> _FileRead:
    """Read the file once, in chunks, stopping with `too_large` past `limit` bytes."""
    read = _FileRead()
    decoder = codecs.getincrementaldecoder("utf-8")()
    if hasattr(file, "seek"):
        file.seek(0)
    chunks = (
        file.chunks(CHUNK_SIZE)
        if hasattr(file, "chunks")
        else iter(lambda: file.read(CHUNK_SIZE), b"")
    )
    for chunk in chunks:
        read.size += len(chunk)
        if read.size > limit:
            raise too_large
        read.digest.update(chunk)
        read.sha1.update(chunk)
        if len(read.head) < HEAD_SIZE:
            read.head += chunk[: HEAD_SIZE - len(read.head)]
        if read.is_text:
            if b"\x00" in chunk:
                read.is_text = False
            else:
                try:
                    decoder.decode(chunk)
                except UnicodeDecodeError:
                    read.is_text = False
    if read.is_text:
        try:
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            read.is_text = False
    return read


def _content_kind(file, *, read: _FileRead, expected: str) -> str | None:
    """The kind the file's content is, whatever its name; markup is refused outright."""
    head = read.head
    if head.startswith(b"%PDF-"):
        return PDF
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if head.startswith(b"\xff\xd8\xff"):
        return JPEG
    if head.startswith(b"PK\x03\x04"):
        return _zip_kind(file)
    if not read.is_text:
        return None
    if _looks_like_markup(head):
        raise ValidationError(
            _(
                "This file contains web page markup (HTML, SVG or XML), which the "
                "library does not accept, whatever its name. Upload a PDF instead."
            ),
            code="markup",
        )
    return CSV if expected == CSV else TEXT


def document_inspect(*, file) -> DocumentFacts:
    """Check an uploaded or stored file by its content and return its facts.

    Raises ValidationError with a reader-friendly message when the file is too
    large, empty, of a kind the library does not take, markup (HTML, SVG, XML),
    a broken PDF, or when its content does not match its extension.
    """
    extension = _extension_accepted(os.path.basename(getattr(file, "name", "") or ""))
    limit = library_max_upload_bytes()
    too_large = ValidationError(
        _("This file is too large. The library takes files up to %(limit)s.")
        % {"limit": filesizeformat(limit)},
        code="too_large",
    )
    declared_size = getattr(file, "size", None)
    if declared_size is not None and declared_size > limit:
        raise too_large
    read = _file_read(file, limit=limit, too_large=too_large)
    if read.size == 0:
        raise ValidationError(_("This file is empty."), code="empty")

    expected = TYPE_BY_EXTENSION[extension]
    found = _content_kind(file, read=read, expected=expected)
    if found != expected:
        raise ValidationError(
            _(
                "This file’s content is %(found)s, which does not match its “.%(extension)s” "
                "name. Check that you chose the right file."
            )
            % {"found": _describe(found), "extension": extension},
            code="mismatch",
        )

    page_count = _pdf_page_count(file) if found == PDF else None
    if hasattr(file, "seek"):
        file.seek(0)
    return DocumentFacts(
        sha256=read.digest.hexdigest(),
        size=read.size,
        sha1=read.sha1.hexdigest(),
        media_type=found,
        page_count=page_count,
    )


# -- public listing -----------------------------------------------------------


def documents_filter(
    documents: QuerySet,
    *,
    kind: str | None = None,
    year: int | None = None,
    language: str | None = None,
    query: str | None = None,
) -> QuerySet:
    """Narrow a document list; `query` matches title, summary and issuer."""
    if kind:
        documents = documents.filter(kind=kind)
    if year is not None:
        documents = documents.filter(date__year=year)
    if language:
        documents = documents.filter(language=language)
    if query:
        documents = documents.filter(
            Q(title__icontains=query) | Q(summary__icontains=query) | Q(issuer__icontains=query)
        )
    return documents


def search_query_clean(*, raw: str | None) -> str:
    """A reader's search text made safe: no control characters, bounded length."""
    if not raw:
        return ""
    text = "".join(ch for ch in raw if ch.isprintable() or ch == " ")
    return " ".join(text.split())[:SEARCH_MAX_LENGTH]


def document_years(*, documents: QuerySet) -> list[int]:
    """Years that have at least one dated document, newest first."""
    years = (
        documents.exclude(date=None)
        .annotate(year=ExtractYear("date"))
        .order_by("-year")
        .values_list("year", flat=True)
        .distinct()
    )
    return list(years)


def document_languages(*, documents: QuerySet) -> list[str]:
    """Language codes in use, in a stable order."""
    return sorted(set(documents.exclude(language="").values_list("language", flat=True)))


def document_kinds(*, documents: QuerySet) -> list[str]:
    """Kinds in use, in a stable order."""
    return sorted(set(documents.exclude(kind="").values_list("kind", flat=True)))


def document_citation(*, document, url: str) -> str:
    """A one-line citation: issuer, title, date, address."""
    parts = []
    if document.issuer:
        parts.append(document.issuer)
    parts.append(f"“{document.title}”")
    if document.date:
        parts.append(document.date.isoformat())
    parts.append(url)
    return ", ".join(parts) + "."
