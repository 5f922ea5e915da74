"""Updates: the campaign's news, newest first, with tags, series and references."""

from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import models
from django.http import Http404
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from modelcluster.contrib.taggit import ClusterTaggableManager
from modelcluster.fields import ParentalKey
from modelcluster.models import ClusterableModel
from taggit.models import TaggedItemBase
from wagtail.admin.panels import FieldPanel, InlinePanel, MultiFieldPanel
from wagtail.contrib.routable_page.models import RoutablePageMixin, path
from wagtail.fields import StreamField
from wagtail.models import Orderable, Page, TranslatableMixin
from wagtail.search import index

from vigil.core import converters  # noqa: F401  (registers <uslug:…>, used by the routes below)
from vigil.core.blocks import BodyBlock
from vigil.core.models import CitingPageMixin, SourceReference, TextTranslation
from vigil.core.pages import PageMixin
from vigil.core.services import pagination_links, translation_languages
from vigil.core.snapshot import snapshot_memo

from . import feeds, services
from .teasers import body_opening, teaser_choose

UPDATES_PER_PAGE = 10


class UpdateIndexPage(PageMixin, RoutablePageMixin, Page):
    """The 'Latest updates' list, its filters and its feeds.

    Filters live in the path (`tag/<slug>/`, `year/<n>/`, `page/<n>/`) rather
    than the query string, so that every listing is a plain file in the
    static mirror.
    """

    untranslated_menu_title = _("Latest updates")
    show_in_menus_default = True

    intro = models.TextField(
        _("introduction"), blank=True, help_text=_("Shown above the list of updates.")
    )
    pinned_update = models.ForeignKey(
        "news.UpdatePage",
        verbose_name=_("pinned update"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_(
            "Shown first on the home page and on the first page of the list, whatever its date."
        ),
    )

    content_panels = Page.content_panels + [FieldPanel("intro"), FieldPanel("pinned_update")]

    parent_page_types = ["pages.HomePage"]
    subpage_types = ["news.UpdatePage"]
    max_count_per_parent = 1

    class Meta:
        verbose_name = _("updates index")

    # -- listings ---------------------------------------------------------

    @path("")
    def latest(self, request):
        legacy = self._redirect_query_filters(request)
        if legacy:
            return legacy
        return self._listing(request, page_number=1)

    @path("page/<int:page_number>/")
    def latest_page(self, request, page_number):
        if page_number == 1:
            return redirect(self.get_url(request), permanent=True)
        return self._listing(request, page_number=page_number)

    @path("tag/<uslug:tag>/")
    def by_tag(self, request, tag):
        return self._listing(request, page_number=1, tag=tag)

    @path("tag/<uslug:tag>/page/<int:page_number>/")
    def by_tag_page(self, request, tag, page_number):
        return self._listing(request, page_number=page_number, tag=tag)

    @path("year/<int:year>/")
    def by_year(self, request, year):
        return self._listing(request, page_number=1, year=year)

    @path("year/<int:year>/page/<int:page_number>/")
    def by_year_page(self, request, year, page_number):
        return self._listing(request, page_number=page_number, year=year)

    # -- feeds ------------------------------------------------------------

    @path("feed/rss/", name="feed_rss")
    def feed_rss(self, request):
        return feeds.UpdatesRssFeed()(request, index=self)

    @path("feed/atom/", name="feed_atom")
    def feed_atom(self, request):
        return feeds.UpdatesAtomFeed()(request, index=self)

    @path("tag/<uslug:tag>/feed/rss/", name="tag_feed_rss")
    def tag_feed_rss(self, request, tag):
        return feeds.UpdatesRssFeed()(request, index=self, tag=services.tag_get(slug=tag))

    @path("tag/<uslug:tag>/feed/atom/", name="tag_feed_atom")
    def tag_feed_atom(self, request, tag):
        return feeds.UpdatesAtomFeed()(request, index=self, tag=services.tag_get(slug=tag))

    def _redirect_query_filters(self, request):
        """Send `?tag=`, `?year=` and `?page=` (old and hand-typed links) to the path form."""
        tag = request.GET.get("tag")
        year = request.GET.get("year")
        page = request.GET.get("page")
        if tag is None and year is None and page is None:
            return None
        base = self.get_url(request)
        if tag is not None:
            services.tag_get(slug=tag)
            base += self.reverse_subpage("by_tag", kwargs={"tag": tag})
        elif year is not None:
            if not year.isdigit() or len(year) != 4:
                raise Http404(_("There is no such year."))
            base += self.reverse_subpage("by_year", kwargs={"year": int(year)})
        if page is not None and page != "1":
            if not page.isdigit() or len(page) > 6:
                raise Http404(_("There is no such page."))
            base += f"page/{int(page)}/"
        return redirect(base, permanent=True)

    def _listing(self, request, *, page_number, tag=None, year=None):
        # Every page of a listing has the same tag, pinned update, tags and years beside
        # it: rendering the whole site (snapshot_reads), they are read once per listing.
        language = get_language()
        selected_tag = (
            snapshot_memo(("updates-tag", tag, language), lambda: services.tag_get(slug=tag))
            if tag
            else None
        )
        visible = services.updates_visible(index=self)
        pinned = None
        if tag is None and year is None:
            # The pinned update heads page 1 and is left out of the dated list on
            # every page, so pages keep ten items each and nothing shifts.
            pinned = snapshot_memo(
                ("updates-pinned", self.pk),
                lambda: services.update_pinned(index=self, visible=visible),
            )
        updates = services.updates_listed(
            index=self, visible=visible, tag=selected_tag, year=year, pinned=pinned
        )
        paginator = Paginator(updates, UPDATES_PER_PAGE)
        if year is not None and paginator.count == 0:
            raise Http404(_("There are no updates from that year."))
        if page_number < 1 or page_number > max(paginator.num_pages, 1):
            raise Http404(_("There is no such page."))
        listing = paginator.page(page_number)
        route_base = self.get_url(request)
        if selected_tag:
            route_base += self.reverse_subpage("by_tag", kwargs={"tag": selected_tag.slug})
        elif year:
            route_base += self.reverse_subpage("by_year", kwargs={"year": year})
        return self.render(
            request,
            context_overrides={
                "listing": listing,
                "pinned": pinned if page_number == 1 else None,
                "selected_tag": selected_tag,
                "selected_year": year,
                "route_base": route_base,
                "page_links": pagination_links(
                    listing=listing,
                    url_for=lambda n: route_base if n == 1 else f"{route_base}page/{n}/",
                ),
                "canonical_url": request.build_absolute_uri(
                    route_base if page_number == 1 else f"{route_base}page/{page_number}/"
                ),
                "tags": snapshot_memo(
                    ("updates-tags", self.pk, language),
                    lambda: services.tags_in_use(visible=visible),
                ),
                "years": snapshot_memo(
                    ("updates-years", self.pk), lambda: services.years_in_use(visible=visible)
                ),
            },
        )

    def get_sitemap_urls(self, request=None):
        urls = super().get_sitemap_urls(request)
        base = self.get_full_url(request)
        visible = services.updates_visible(index=self)
        for tag in services.tags_in_use(visible=visible):
            # Percent-encoded, as sitemaps want a Cyrillic slug.
            urls.append(
                {"location": base + self.reverse_subpage("by_tag", kwargs={"tag": tag.slug})}
            )
        for year in services.years_in_use(visible=visible):
            urls.append({"location": base + f"year/{year}/"})
        return urls


class TagTranslation(models.Model):
    """A tag's name in another language (tags themselves are shared by every language)."""

    tag = models.ForeignKey(
        "taggit.Tag",
        verbose_name=_("tag"),
        on_delete=models.CASCADE,
        related_name="translations",
        help_text=_("The tag, as editors type it on updates."),
    )
    language = models.CharField(
        _("language"),
        max_length=10,
        choices=translation_languages,
        help_text=_("The language of this name."),
    )
    name = models.CharField(
        _("name"), max_length=100, help_text=_("What readers of that language see.")
    )

    panels = [FieldPanel("tag"), FieldPanel("language"), FieldPanel("name")]

    class Meta:
        verbose_name = _("tag name")
        verbose_name_plural = _("tag names")
        constraints = [
            models.UniqueConstraint(fields=["tag", "language"], name="news_tag_name_once"),
        ]

    def __str__(self):
        return self.name


class UpdatePageTag(TaggedItemBase):
    content_object = ParentalKey(
        "news.UpdatePage", on_delete=models.CASCADE, related_name="tagged_items"
    )


class Series(index.Indexed, ClusterableModel):
    """A run of analysis chapters read in order."""

    title = models.CharField(_("title"), max_length=200, help_text=_("Name of the series."))
    slug = models.SlugField(
        _("slug"), max_length=100, unique=True, help_text=_("Short name used in addresses.")
    )
    description = models.TextField(
        _("description"), blank=True, help_text=_("What the series is about, in a sentence or two.")
    )
    is_complete = models.BooleanField(
        _("complete"),
        default=False,
        help_text=_(
            "Tick once the last chapter is published. Until then the latest chapter tells "
            "readers that the next one is coming soon."
        ),
    )

    panels = [
        FieldPanel("title"),
        FieldPanel("slug"),
        FieldPanel("description"),
        FieldPanel("is_complete"),
        InlinePanel(
            "translations",
            label=_("Translation"),
            heading=_("In other languages"),
            help_text=_("The title and description as readers of another language see them."),
        ),
    ]
    search_fields = [index.SearchField("title"), index.AutocompleteField("title")]

    class Meta:
        verbose_name = _("series")
        verbose_name_plural = _("series")
        ordering = ["title"]

    def __str__(self):
        return self.title


class SeriesTranslation(Orderable, TextTranslation):
    """A series' title and description in another language."""

    series = ParentalKey(Series, on_delete=models.CASCADE, related_name="translations")
    title = models.CharField(
        _("title"), max_length=200, help_text=_("The series' name in that language.")
    )
    description = models.TextField(
        _("description"), blank=True, help_text=_("What the series is about, in that language.")
    )

    class Meta(Orderable.Meta):
        verbose_name = _("series translation")
        verbose_name_plural = _("series translations")
        constraints = [
            models.UniqueConstraint(
                fields=["series", "language"], name="news_series_translation_once"
            ),
        ]


class UpdatePage(PageMixin, CitingPageMixin, Page):
    date = models.DateTimeField(
        _("publication date"),
        default=timezone.now,
        help_text=_("The date readers see. Updates are listed newest first by this date."),
    )
    updated_at = models.DateTimeField(
        _("last substantive change"),
        null=True,
        blank=True,
        help_text=_(
            "Set when you correct or add to the update after publishing; readers see "
            "'Updated' with this date. Leave empty for typo fixes."
        ),
    )
    author = models.CharField(
        _("author"),
        max_length=120,
        blank=True,
        help_text=_("The byline, e.g. 'Campaign team' or a person's name."),
    )
    summary = models.TextField(
        _("summary"),
        max_length=400,
        blank=True,
        help_text=_(
            "One or two sentences shown above the text, in lists, feeds, search and when "
            "shared. May be left empty: lists, feeds, search and shared links then show the "
            "opening of the text, and nothing is shown above it."
        ),
    )
    body = StreamField(BodyBlock(), help_text=_("The text of the update."))
    # Stored, not worked out when shown: lists and feeds load updates without their
    # bodies (defer_streamfields), and reading the body there would cost a query a card.
    opening = models.TextField(
        _("opening of the text"),
        blank=True,
        editable=False,
        help_text=_(
            "The first paragraph of the text, shortened, kept up to date on every save: "
            "what lists, feeds, search and shared links show when the summary is empty."
        ),
    )
    tags = ClusterTaggableManager(
        through=UpdatePageTag,
        blank=True,
        verbose_name=_("tags"),
        help_text=_("Topics readers can follow, e.g. 'detention orders'."),
    )
    series = models.ForeignKey(
        Series,
        verbose_name=_("series"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="chapters",
        help_text=_("Choose a series if this update is one chapter of it."),
    )
    chapter = models.PositiveSmallIntegerField(
        _("chapter number"),
        null=True,
        blank=True,
        help_text=_("Its place in the series: 1 for the first chapter."),
    )

    search_fields = Page.search_fields + [
        index.SearchField("summary"),
        index.SearchField("body"),
        index.SearchField("author"),
        index.FilterField("date"),
    ]

    content_panels = Page.content_panels + [
        MultiFieldPanel(
            [FieldPanel("date"), FieldPanel("updated_at"), FieldPanel("author")],
            heading=_("Byline"),
        ),
        FieldPanel("summary"),
        FieldPanel("body"),
        InlinePanel("references", label=_("Reference"), heading=_("References")),
        MultiFieldPanel(
            [FieldPanel("tags"), FieldPanel("series"), FieldPanel("chapter")],
            heading=_("Tags and series"),
        ),
    ]

    parent_page_types = ["news.UpdateIndexPage"]
    subpage_types = []

    class Meta:
        verbose_name = _("update")
        verbose_name_plural = _("updates")

    @property
    def teaser(self) -> str:
        """What everything that shows the update without its text shows of it: lists,
        feeds, search, link previews and the mirror's search. The update page itself shows
        only the summary, above the text, so that the opening is never shown twice."""
        return teaser_choose(summary=self.summary, opening=self.opening)

    @property
    def preview_text(self) -> str:
        return self.teaser

    def save(self, *args, **kwargs):
        # A page loaded without its body (defer_streamfields) keeps the opening it has.
        if "body" not in self.get_deferred_fields():
            self.opening = body_opening(body_data=self.body.raw_data)
            update_fields = kwargs.get("update_fields")
            if update_fields is not None and "body" in update_fields:
                kwargs["update_fields"] = {*update_fields, "opening"}
        return super().save(*args, **kwargs)

    def clean(self):
        super().clean()
        if self.series_id and not self.chapter:
            raise ValidationError({"chapter": _("Give the chapter number within the series.")})
        if self.chapter and not self.series_id:
            raise ValidationError({"series": _("Choose the series this chapter belongs to.")})
        if self.updated_at and self.date and self.updated_at < self.date:
            raise ValidationError(
                {"updated_at": _("The change cannot be earlier than the publication date.")}
            )

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        url = self.get_url(request)
        context["index_url"] = url[: -(len(self.slug) + 1)]  # the parent's URL, without a query
        context["tags"] = services.update_tags(update=self)
        context.update(services.update_neighbours(update=self, tags=context["tags"]))
        context["structured_data"] = services.update_structured_data(
            update=self, request=request, tags=context["tags"]
        )
        return context


class UpdateReference(TranslatableMixin, Orderable, SourceReference):
    """A source the page cites. Each language's version of the page has its own, linked to
    the original's by `translation_key`, so translators translate titles and publishers
    (wagtail-localize offers the text of translatable child objects only)."""

    page = ParentalKey(UpdatePage, on_delete=models.CASCADE, related_name="references")

    class Meta(TranslatableMixin.Meta, Orderable.Meta):
        pass
