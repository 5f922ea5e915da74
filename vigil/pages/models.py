"""The home page and the plain pages (Case background, About, Privacy)."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey
from wagtail.admin.panels import FieldPanel, InlinePanel, MultiFieldPanel
from wagtail.fields import StreamField
from wagtail.models import Orderable, Page, TranslatableMixin
from wagtail.search import index

from vigil.core.blocks import BodyBlock
from vigil.core.models import CampaignSettings, CitingPageMixin, SourceReference
from vigil.core.pages import PageMixin
from vigil.core.services import pages_localised_by_id
from vigil.news.services import updates_for_home


class HomePage(PageMixin, Page):
    intro = models.TextField(
        _("introduction"),
        blank=True,
        help_text=_("One or two sentences under the case banner."),
    )
    featured_case = models.ForeignKey(
        "cases.CasePage",
        verbose_name=_("featured case"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("The case shown in the banner at the top of the home page."),
    )
    background_page = models.ForeignKey(
        "wagtailcore.Page",
        verbose_name=_("background page"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("The page that explains the case, linked from the banner."),
    )
    action_page = models.ForeignKey(
        "wagtailcore.Page",
        verbose_name=_("take action page"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("Where readers go to help, linked from the banner."),
    )
    action_text = models.CharField(
        _("call to action"),
        max_length=200,
        blank=True,
        help_text=_("One sentence inviting readers to act, shown with the link above."),
    )
    latest_count = models.PositiveSmallIntegerField(
        _("number of latest updates"),
        default=6,
        help_text=_("How many of the latest updates the home page lists."),
    )

    content_panels = Page.content_panels + [
        FieldPanel("intro"),
        MultiFieldPanel(
            [FieldPanel("featured_case"), FieldPanel("background_page")], heading=_("Case banner")
        ),
        MultiFieldPanel(
            [FieldPanel("action_page"), FieldPanel("action_text")], heading=_("Taking action")
        ),
        FieldPanel("latest_count"),
    ]

    parent_page_types = ["wagtailcore.Page"]
    max_count_per_parent = 1

    class Meta:
        verbose_name = _("home page")

    def route(self, request, path_components):
        """Find the deepest page on the path in one query, not two per level.

        The page found routes what is left of the path itself (feeds, tags and
        pagination of the updates index), exactly as Wagtail's default would.
        """
        if not path_components:
            return super().route(request, path_components)
        candidates = [
            self.url_path + "/".join(path_components[:n]) + "/"
            for n in range(len(path_components), 0, -1)
        ]
        match = (
            Page.objects.filter(url_path__in=candidates, path__startswith=self.path)
            .order_by("-depth")
            .first()
        )
        if match is None:
            return super().route(request, path_components)
        return match.specific.route(request, path_components[match.depth - self.depth :])

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context.update(updates_for_home(home=self, limit=self.latest_count))
        # The banner's links point at default-language pages; show the reader's version.
        # Two queries: the case with its fields, the linked pages with only a title and URL.
        [context["banner_case"]] = pages_localised_by_id(
            ids=[self.featured_case_id], model=self._meta.get_field("featured_case").related_model
        )
        context["background_page"], context["action_page"] = pages_localised_by_id(
            ids=[self.background_page_id, self.action_page_id]
        )
        context["structured_data"] = {
            "@context": "https://schema.org",
            "@type": "WebSite",
            "name": CampaignSettings.for_request(request).campaign_name,
            "url": self.get_full_url(request),
        }
        return context


class StandardPage(PageMixin, CitingPageMixin, Page):
    intro = models.TextField(
        _("introduction"),
        blank=True,
        help_text=_("One or two sentences shown under the title and in search results."),
    )
    body = StreamField(BodyBlock(), blank=True, help_text=_("The text of the page."))

    search_fields = Page.search_fields + [
        index.SearchField("intro"),
        index.SearchField("body"),
    ]

    content_panels = Page.content_panels + [
        FieldPanel("intro"),
        FieldPanel("body"),
        InlinePanel("references", label=_("References"), heading=_("References")),
    ]

    parent_page_types = ["pages.HomePage", "pages.StandardPage"]

    class Meta:
        verbose_name = _("standard page")


class StandardPageReference(TranslatableMixin, Orderable, SourceReference):
    """A source the page cites. Each language's version of the page has its own, linked to
    the original's by `translation_key`, so translators translate titles and publishers
    (wagtail-localize offers the text of translatable child objects only)."""

    page = ParentalKey(StandardPage, on_delete=models.CASCADE, related_name="references")

    class Meta(TranslatableMixin.Meta, Orderable.Meta):
        pass
