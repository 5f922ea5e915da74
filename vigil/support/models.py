"""The support register: who has called for the person's release, when, and for what."""

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.http import Http404
from django.utils import timezone
from django.utils.translation import get_language, gettext
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalManyToManyField
from modelcluster.models import ClusterableModel
from wagtail.admin.panels import FieldPanel, FieldRowPanel, MultiFieldPanel
from wagtail.contrib.routable_page.models import RoutablePageMixin, re_path
from wagtail.models import Page
from wagtail.search import index

from vigil.cases.models.record import DatePrecision
from vigil.core.pages import PageMixin
from vigil.core.services import page_localised
from vigil.core.snapshot import snapshot_memo


class SupporterType(models.TextChoices):
    UN_BODY = "un-body", _("UN body")
    INTERGOVERNMENTAL = "intergovernmental", _("Intergovernmental organisation")
    GOVERNMENT = "government", _("Government")
    PARLIAMENT = "parliament", _("Parliament or parliamentarians")
    NGO = "ngo", _("NGO")
    LAWYERS = "lawyers", _("Lawyers")
    PUBLIC_FIGURE = "public-figure", _("Public figure")


class Demand(models.TextChoices):
    RELEASE = "release", _("Release")
    FAIR_TRIAL = "fair-trial", _("A fair and open trial")
    INVESTIGATION = "investigation", _("An independent investigation")
    MEDICAL_CARE = "medical-care", _("Medical care")
    LAWYER = "lawyer", _("Access to a lawyer")
    END_SOLITARY = "end-solitary", _("An end to solitary confinement")


class DemandListField(models.JSONField):
    """A list of `Demand` values, stored as JSON and edited as a set of checkboxes.

    JSON rather than ArrayField so that it works on SQLite as well as PostgreSQL.
    """

    def formfield(self, **kwargs):
        return forms.MultipleChoiceField(
            choices=Demand.choices,
            widget=forms.CheckboxSelectMultiple,
            required=not self.blank,
            label=self.verbose_name,
            help_text=self.help_text,
        )

    def validate(self, value, model_instance):
        super().validate(value, model_instance)
        if not isinstance(value, list) or any(item not in Demand.values for item in value):
            raise ValidationError(
                _("Choose demands from the list."), code="invalid_choice", params={"value": value}
            )


def _no_demands() -> list:
    return []


class Statement(index.Indexed, ClusterableModel):
    """One public call, by an organisation or a person, about the case."""

    case = models.ForeignKey(
        "cases.CasePage",
        verbose_name=_("case"),
        on_delete=models.CASCADE,
        related_name="statements",
        help_text=_("The case the statement is about."),
    )
    who = models.CharField(
        _("who"),
        max_length=300,
        help_text=_(
            "The organisation or person, as they name themselves, e.g. 'UN Working Group "
            "on Arbitrary Detention'."
        ),
    )
    supporter_type = models.CharField(
        _("type of supporter"),
        max_length=20,
        choices=SupporterType.choices,
        help_text=_("What kind of body or person made the statement."),
    )
    country = models.CharField(
        _("country"),
        max_length=100,
        blank=True,
        help_text=_("The country they speak from. Leave empty for international bodies."),
    )
    date = models.DateField(
        _("date"), help_text=_("When the statement was made (the first day, if several).")
    )
    precision = models.CharField(
        _("date precision"),
        max_length=10,
        choices=DatePrecision.choices,
        default=DatePrecision.DAY,
        help_text=_("Choose 'Month only' or 'Approximate' when the source gives no exact day."),
    )
    demands = DemandListField(
        _("demands"),
        default=_no_demands,
        help_text=_("Everything the statement calls for. Tick all that apply."),
    )
    quote = models.TextField(
        _("quote"),
        max_length=600,
        blank=True,
        help_text=_("A sentence or two quoted from the statement, in its own words."),
    )
    source_url = models.URLField(
        _("source address"),
        max_length=500,
        blank=True,
        help_text=_("Where the statement was published, e.g. the organisation's own page."),
    )
    source_document = models.ForeignKey(
        settings.WAGTAILDOCS_DOCUMENT_MODEL,
        verbose_name=_("source document"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("A copy of the statement in the library, in case the original disappears."),
    )
    language = models.CharField(
        _("language"),
        max_length=12,
        default="en",
        help_text=_("The language of the statement and quote, as a code such as 'en' or 'ru'."),
    )
    updates = ParentalManyToManyField(
        "news.UpdatePage",
        verbose_name=_("linked updates"),
        blank=True,
        related_name="statements",
        help_text=_("Updates that report this statement."),
    )

    panels = [
        MultiFieldPanel(
            [
                FieldPanel("case"),
                FieldPanel("who"),
                FieldRowPanel([FieldPanel("supporter_type"), FieldPanel("country")]),
            ],
            heading=_("Who"),
        ),
        MultiFieldPanel(
            [
                FieldRowPanel([FieldPanel("date"), FieldPanel("precision")]),
                FieldPanel("demands"),
                FieldPanel("quote"),
                FieldPanel("language"),
            ],
            heading=_("Statement"),
        ),
        MultiFieldPanel(
            [FieldPanel("source_url"), FieldPanel("source_document"), FieldPanel("updates")],
            heading=_("Sources and updates"),
        ),
    ]
    search_fields = [
        index.SearchField("who"),
        index.AutocompleteField("who"),
        index.SearchField("quote"),
        index.FilterField("case"),
    ]

    class Meta:
        verbose_name = _("statement of support")
        verbose_name_plural = _("statements of support")
        ordering = ["date", "pk"]

    def __str__(self):
        return f"{self.date:%Y-%m-%d} {self.who}"

    def clean(self):
        super().clean()
        if self.date and self.date > timezone.localdate():
            raise ValidationError({"date": _("The statement cannot be dated in the future.")})

    @property
    def anchor(self) -> str:
        return f"statement-{self.pk}"

    @property
    def demand_labels(self) -> list[str]:
        labels = dict(Demand.choices)
        return [labels[d] for d in self.demands if d in labels]


FILTER_KEYS = ("type", "demand", "year")


class SupportRegisterPage(PageMixin, RoutablePageMixin, Page):
    """Who has called for the release of one person, with counts, filters and a chart.

    Filters are path segments in a fixed order (`type/<type>/`, `demand/<demand>/`,
    `year/<yyyy>/`, alone or combined), never a query string, so every view is a plain
    file in the static mirror.
    """

    untranslated_menu_title = _("Who has called for release")
    show_in_menus_default = True

    case = models.ForeignKey(
        "cases.CasePage",
        verbose_name=_("case"),
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("The case whose statements of support this page lists."),
    )
    intro = models.TextField(
        _("introduction"), blank=True, help_text=_("Shown above the register.")
    )

    content_panels = Page.content_panels + [
        MultiFieldPanel([FieldPanel("case"), FieldPanel("intro")], heading=_("Register"))
    ]
    parent_page_types = ["pages.HomePage"]
    subpage_types = []

    class Meta:
        verbose_name = _("support register")

    @re_path(r"^$", name="register")
    def register(self, request):
        return self._listing(request, filters={})

    @re_path(r"^(?P<path>(?:(?:type|demand|year)/[^/]+/)+)$", name="filtered")
    def filtered(self, request, path):
        return self._listing(request, filters=self.filters_parse(path))

    @staticmethod
    def filters_parse(path: str) -> dict[str, str]:
        """`type/ngo/year/2023/` -> {"type": "ngo", "year": "2023"}; unknown or repeated -> 404."""
        parts = path.strip("/").split("/")
        filters = {}
        for key, value in zip(parts[::2], parts[1::2], strict=True):
            if key in filters:
                raise Http404(gettext("Each filter can be used only once."))
            filters[key] = value
        if "type" in filters and filters["type"] not in SupporterType.values:
            raise Http404(gettext("There is no such type of supporter."))
        if "demand" in filters and filters["demand"] not in Demand.values:
            raise Http404(gettext("There is no such demand."))
        if "year" in filters and not (filters["year"].isdigit() and len(filters["year"]) == 4):
            raise Http404(gettext("There is no such year."))
        return filters

    def _listing(self, request, *, filters: dict[str, str]):
        from . import services

        statements = services.statements_for_case(case=self.case)
        # The case field follows the original page; readers see the case (its name and
        # title before it) in their own language.
        case = page_localised(page=self.case)
        year = int(filters["year"]) if "year" in filters else None
        years = services.statement_years(statements=statements)
        if year is not None and year not in years:
            raise Http404(gettext("There are no statements from that year."))
        shown = services.statements_filter(
            statements,
            supporter_type=filters.get("type"),
            demand=filters.get("demand"),
            year=year,
        )
        base = self.get_url(request)
        return self.render(
            request,
            context_overrides={
                "case": case,
                "statements": shown,
                "all_count": len(statements),
                "filters": filters,
                "filtered": bool(filters),
                "counts": services.statement_counts(statements=statements),
                "filter_links": services.statement_filter_links(
                    base=base, filters=filters, statements=statements
                ),
                # The same on every filtered view: drawn once per language in an export.
                "chart": snapshot_memo(
                    ("support-chart", self.case_id, get_language()),
                    lambda: services.statements_chart_svg(statements=statements, case=case),
                ),
                "canonical_url": request.build_absolute_uri(
                    base + services.statement_filter_path(filters=filters)
                ),
                "selected_labels": services.statement_filter_labels(filters=filters),
            },
        )
