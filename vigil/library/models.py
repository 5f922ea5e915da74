"""The campaign's library of primary documents."""

import urllib.parse

from django.core.exceptions import ValidationError
from django.db import models
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel
from wagtail.contrib.routable_page.models import RoutablePageMixin, path, re_path
from wagtail.documents.models import AbstractDocument, Document
from wagtail.models import Page
from wagtail.search import index

from vigil.core import converters  # noqa: F401  (registers <uslug:…>, used by the routes below)
from vigil.core.pages import PageMixin

from . import services


class DocumentKind(models.TextChoices):
    UN_OPINION = "un-opinion", _("UN opinion")
    COURT = "court-document", _("Court document")
    PRESS_RELEASE = "press-release", _("Press release")
    MEDICAL = "medical", _("Medical record")
    LETTER = "letter", _("Letter")
    PETITION = "petition", _("Petition")
    REPORT = "report", _("Report")


# A fixed list, so that adding a site language never needs a migration here.
class DocumentLanguage(models.TextChoices):
    ENGLISH = "en", _("English")
    RUSSIAN = "ru", _("Russian")
    KAZAKH = "kk", _("Kazakh")
    FRENCH = "fr", _("French")
    SPANISH = "es", _("Spanish")
    GERMAN = "de", _("German")
    OTHER = "other", _("Other")


class LibraryDocument(AbstractDocument):
    """A primary document, checked by content on upload and described for readers."""

    slug = models.SlugField(
        _("slug"),
        max_length=100,
        unique=True,
        blank=True,
        # Titles in Russian and Kazakh keep their letters, as page slugs do.
        allow_unicode=True,
        help_text=_(
            "The last part of the document's public address. Leave empty to make one "
            "from the title."
        ),
    )
    date = models.DateField(
        _("date"),
        null=True,
        blank=True,
        help_text=_("The date the document was issued or signed, if known."),
    )
    issuer = models.CharField(
        _("issuer"),
        max_length=255,
        blank=True,
        help_text=_("Who issued it, e.g. 'UN Working Group on Arbitrary Detention'."),
    )
    kind = models.CharField(
        _("kind"),
        max_length=20,
        choices=DocumentKind.choices,
        blank=True,
        help_text=_("What sort of document this is; readers can filter the library by it."),
    )
    language = models.CharField(
        _("language"),
        max_length=12,
        choices=DocumentLanguage.choices,
        blank=True,
        help_text=_("The language the document is written in."),
    )
    source_url = models.URLField(
        _("source address"),
        max_length=500,
        blank=True,
        help_text=_("Where the original is published, e.g. the UN's own page for an opinion."),
    )
    summary = models.TextField(
        _("summary"),
        blank=True,
        help_text=_(
            "Two or three sentences telling readers what this document is and why it matters."
        ),
    )
    key_document = models.BooleanField(
        _("key document"),
        default=False,
        help_text=_("Show on the press page, among the few documents journalists need first."),
    )
    sha256 = models.CharField(
        _("SHA-256 checksum"),
        max_length=64,
        blank=True,
        editable=False,
        help_text=_("Computed on upload so that readers can check their copy is unaltered."),
    )
    page_count = models.PositiveIntegerField(
        _("page count"),
        null=True,
        blank=True,
        editable=False,
        help_text=_("Number of pages, read from PDFs on upload."),
    )
    media_type = models.CharField(
        _("media type"),
        max_length=100,
        blank=True,
        editable=False,
        help_text=_("The file type found by reading the file's content on upload."),
    )

    admin_form_fields = (
        "title",
        "file",
        "collection",
        "slug",
        "date",
        "issuer",
        "kind",
        "language",
        "source_url",
        "summary",
        "key_document",
        "tags",
    )

    search_fields = Document.search_fields + [
        index.SearchField("summary"),
        index.SearchField("issuer"),
        index.FilterField("kind"),
        index.FilterField("language"),
        index.FilterField("date"),
    ]

    class Meta(AbstractDocument.Meta):
        verbose_name = _("document")
        verbose_name_plural = _("documents")

    # -- checking uploads -----------------------------------------------------

    def _file_is_new(self) -> bool:
        return bool(self.file) and not getattr(self.file, "_committed", True)

    def facts_apply(self, facts: services.DocumentFacts) -> None:
        self.sha256 = facts.sha256
        self.file_hash = facts.sha1
        self.file_size = facts.size
        self.page_count = facts.page_count
        self.media_type = facts.media_type
        # The file object itself: a replacement may well have the same name.
        self._facts_for = self.file.file

    def clean_fields(self, exclude=None):
        """Check a newly chosen file by its content whenever a form validates the file field.

        Runs for the admin's single add/edit views and for the multiple uploader,
        which all validate a ModelForm that includes `file`.
        """
        errors = {}
        try:
            super().clean_fields(exclude=exclude)
        except ValidationError as error:
            errors = error.update_error_dict(errors)
        checks_file = exclude is None or "file" not in exclude
        if checks_file and "file" not in errors and self._file_is_new():
            try:
                self.facts_apply(services.document_inspect(file=self.file))
            except ValidationError as error:
                errors.setdefault("file", []).extend(error.messages)
        if errors:
            raise ValidationError(errors)

    def _slug_make(self) -> str:
        base = slugify(self.title, allow_unicode=True)[:90].strip("-") or "document"
        slug = base
        others = LibraryDocument.objects.exclude(pk=self.pk)
        number = 2
        while others.filter(slug=slug).exists():
            slug = f"{base}-{number}"
            number += 1
        return slug

    def save(self, *args, **kwargs):
        if not self.slug:
            self.slug = self._slug_make()
            if kwargs.get("update_fields") is not None:
                kwargs["update_fields"] = {*kwargs["update_fields"], "slug"}
        new_unchecked = (
            self._file_is_new() and getattr(self, "_facts_for", None) is not self.file.file
        )
        if self.file and (new_unchecked or not self.sha256 or not self.file_hash):
            # A file saved without a form (shell, import, the uploader's second
            # step) is inspected here; a bad one is refused outright.
            self.facts_apply(services.document_inspect(file=self.file))
            if kwargs.get("update_fields") is not None:
                kwargs["update_fields"] = {
                    *kwargs["update_fields"],
                    "sha256",
                    "file_hash",
                    "file_size",
                    "page_count",
                    "media_type",
                }
        super().save(*args, **kwargs)

    # -- serving --------------------------------------------------------------

    @property
    def content_type(self):
        """The type found by content; unknown files are plain bytes."""
        return self.media_type or "application/octet-stream"

    @property
    def content_disposition(self):
        """Only PDFs open in the browser; everything else downloads."""
        if self.media_type == services.PDF:
            return "inline"
        return "attachment; filename={0}; filename*=UTF-8''{0}".format(
            urllib.parse.quote(self.filename)
        )

    @property
    def kind_label(self) -> str:
        return self.get_kind_display() if self.kind else ""

    @property
    def language_label(self) -> str:
        return self.get_language_display() if self.language else ""


def documents_visible() -> models.QuerySet:
    """Every library document readers may see, newest first (here, not in services.py:
    the services are the models' helpers and import none of them)."""
    return LibraryDocument.objects.filter(collection__view_restrictions__isnull=True).order_by(
        models.F("date").desc(nulls_last=True), "-created_at", "-pk"
    )


class LibraryPage(PageMixin, RoutablePageMixin, Page):
    """The public library: every document, filterable by kind, year and language.

    Filters live in the path so each listing is a plain file in a static
    mirror; only the search box uses the query string.
    """

    untranslated_menu_title = _("Library")
    show_in_menus_default = True

    intro = models.TextField(
        _("introduction"), blank=True, help_text=_("Shown above the list of documents.")
    )

    content_panels = Page.content_panels + [FieldPanel("intro")]

    parent_page_types = ["pages.HomePage"]
    subpage_types = []
    max_count = 1

    class Meta:
        verbose_name = _("library")

    @path("")
    def all_documents(self, request):
        return self._listing(request)

    @path("kind/<slug:kind>/")
    def by_kind(self, request, kind):
        if kind not in DocumentKind.values:
            raise Http404(_("There is no such kind of document."))
        return self._listing(request, kind=kind)

    @re_path(r"^year/(?P<year>[1-9][0-9]{3})/$")
    def by_year(self, request, year):
        return self._listing(request, year=int(year))

    @path("language/<slug:language>/")
    def by_language(self, request, language):
        if language not in DocumentLanguage.values:
            raise Http404(_("There is no such language."))
        return self._listing(request, language=language)

    @path("<uslug:slug>/")
    def document(self, request, slug):
        document = get_object_or_404(documents_visible(), slug=slug)
        url = self.get_url(request) + f"{document.slug}/"
        full_url = request.build_absolute_uri(url)
        return self.render(
            request,
            template="library/library_document.html",
            context_overrides={
                "document": document,
                "canonical_url": full_url,
                "citation": services.document_citation(document=document, url=full_url),
            },
        )

    def _listing(self, request, *, kind=None, year=None, language=None):
        visible = documents_visible()
        query = services.search_query_clean(raw=request.GET.get("q"))
        documents = list(
            services.documents_filter(visible, kind=kind, year=year, language=language, query=query)
        )
        if year is not None and not documents and not query:
            raise Http404(_("There are no documents from that year."))
        base = self.get_url(request)
        return self.render(
            request,
            context_overrides={
                "documents": documents,
                "search_query": query,
                "selected_kind": kind,
                "selected_kind_label": DocumentKind(kind).label if kind else "",
                "selected_year": year,
                "selected_language": language,
                "selected_language_label": DocumentLanguage(language).label if language else "",
                "is_filtered": bool(kind or year or language or query),
                "kinds": [
                    (value, DocumentKind(value).label)
                    for value in services.document_kinds(documents=visible)
                ],
                "years": services.document_years(documents=visible),
                "languages": [
                    (value, DocumentLanguage(value).label)
                    for value in services.document_languages(documents=visible)
                    if value in DocumentLanguage.values
                ],
                "library_url": base,
            },
        )

    def get_sitemap_urls(self, request=None):
        urls = super().get_sitemap_urls(request)
        base = self.get_full_url(request)
        for document in documents_visible().only("slug", "created_at"):
            # Percent-encoded, as sitemaps want a Cyrillic slug.
            address = self.reverse_subpage("document", kwargs={"slug": document.slug})
            urls.append({"location": base + address, "lastmod": document.created_at})
        return urls
