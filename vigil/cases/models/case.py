"""Cases: the person detained and the facts of the case."""

import zoneinfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.http import Http404, HttpResponse, JsonResponse
from django.utils.translation import get_language, gettext
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import (
    FieldPanel,
    InlinePanel,
    MultiFieldPanel,
    ObjectList,
    TabbedInterface,
)
from wagtail.contrib.routable_page.models import RoutablePageMixin, path
from wagtail.models import Page
from wagtail.search import index
from wagtail_localize.fields import SynchronizedField

from vigil.core.pages import PageMixin
from vigil.core.services import page_source_id, pages_public
from vigil.core.snapshot import snapshot_memo

from .. import services
from ..svg import case_timeline_svg
from .record import EventKind


def validate_time_zone(value: str) -> None:
    if value not in zoneinfo.available_timezones():
        raise ValidationError(
            _("“%(value)s” is not a time zone name such as Asia/Almaty."),
            params={"value": value},
        )


class CaseStatus(models.TextChoices):
    PRE_TRIAL = "pre_trial", _("Detained before trial")
    ON_TRIAL = "on_trial", _("On trial")
    CONVICTED = "convicted", _("Convicted and imprisoned")
    RELEASED = "released", _("Released")
    EXILE = "exile", _("In exile")


class TrialOpenness(models.TextChoices):
    OPEN = "open", _("Open to the public")
    CLOSED = "closed", _("Closed to the public")
    SECRET = "secret", _("Classified secret")


class CaseIndexPage(PageMixin, Page):
    untranslated_menu_title = _("Cases")
    show_in_menus_default = True

    intro = models.TextField(
        _("introduction"), blank=True, help_text=_("Shown above the list of cases.")
    )

    content_panels = Page.content_panels + [FieldPanel("intro")]
    parent_page_types = ["pages.HomePage"]
    subpage_types = ["cases.CasePage"]
    max_count_per_parent = 1

    class Meta:
        verbose_name = _("cases index")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["cases"] = CasePage.shared_facts_annotate(
            pages_public(CasePage.objects.live())
            .child_of(self)
            .select_related("photo")
            .order_by("title")
        )
        return context


class CasePage(PageMixin, RoutablePageMixin, Page):
    """One person's case, with its record, timeline and exports.

    Every view is a path (`kind/<kind>/`, `case.json`, `fact-sheet/`...), never a
    query string, so the static mirror holds each one as a plain file.
    """

    # What this page's routes and context read from cases/exports.py ("record", "json",
    # "ical", "csv"), filled by the app's AppConfig.ready(): exports import these models,
    # and a model never imports exports (ARCHITECTURE.md).
    exports: dict = {}
    # Loaded with the page when it is served (core.services.page_route_find): the portrait
    # is at the top of the page and in its share image.
    route_select_related = ("photo",)

    person_name = models.CharField(
        _("name"), max_length=200, help_text=_("The person's name as the campaign writes it.")
    )
    honorific = models.CharField(
        _("title"), max_length=40, blank=True, help_text=_("E.g. 'Dr.' Shown before the name.")
    )
    photo = models.ForeignKey(
        "images.CampaignImage",
        verbose_name=_("photo"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("A portrait. Its description is used as alternative text."),
    )
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=CaseStatus.choices,
        default=CaseStatus.PRE_TRIAL,
        help_text=_("Where the case stands today."),
    )
    status_line = models.CharField(
        _("status in one line"),
        max_length=200,
        blank=True,
        help_text=_("E.g. 'Sentenced to 18 years after a closed trial'. Shown in the banner."),
    )
    detained_on = models.DateField(
        _("detained on"), help_text=_("The day the person was detained, where they were detained.")
    )
    released_on = models.DateField(
        _("released on"),
        null=True,
        blank=True,
        help_text=_("Leave empty while the person is held. The day count stops here."),
    )
    time_zone = models.CharField(
        _("time zone"),
        max_length=64,
        default="UTC",
        validators=[validate_time_zone],
        help_text=_("Where the person is held, e.g. Asia/Almaty: days turn at midnight there."),
    )
    summary = models.TextField(
        _("summary"), blank=True, help_text=_("Two or three sentences about the case.")
    )
    other_spellings = models.CharField(
        _("other spellings"),
        max_length=300,
        blank=True,
        help_text=_(
            "Transliterations readers may search for, comma-separated, e.g. 'Масимов, Мәсімов'."
        ),
    )
    former_roles = models.TextField(
        _("former roles"),
        blank=True,
        help_text=_("One role a line, e.g. 'Prime Minister of Kazakhstan (twice)'."),
    )
    bio = models.TextField(
        _("short biography"), blank=True, help_text=_("A short paragraph about the person.")
    )
    place_of_detention = models.CharField(
        _("place of detention"),
        max_length=300,
        blank=True,
        help_text=_("Where the person is held, as far as is known."),
    )
    court = models.CharField(
        _("court"), max_length=300, blank=True, help_text=_("The court hearing the case.")
    )
    plea = models.CharField(
        _("plea"), max_length=200, blank=True, help_text=_("E.g. 'Not guilty on all counts'.")
    )
    trial_openness = models.CharField(
        _("trial"),
        max_length=10,
        choices=TrialOpenness.choices,
        blank=True,
        help_text=_("Whether the public and press could attend."),
    )
    verdict_on = models.DateField(
        _("verdict date"), null=True, blank=True, help_text=_("The day the verdict was given.")
    )
    sentence = models.CharField(
        _("sentence"), max_length=200, blank=True, help_text=_("E.g. '18 years in prison'.")
    )
    health_notes = models.TextField(
        _("health"),
        blank=True,
        help_text=_(
            "Known health conditions, one a line. Only what the family has agreed to publish."
        ),
    )

    search_fields = Page.search_fields + [
        index.SearchField("person_name"),
        index.SearchField("other_spellings"),
        index.SearchField("summary"),
    ]

    content_panels = Page.content_panels + [
        MultiFieldPanel(
            [
                FieldPanel("honorific"),
                FieldPanel("person_name"),
                FieldPanel("other_spellings"),
                FieldPanel("photo"),
                FieldPanel("former_roles"),
                FieldPanel("bio"),
            ],
            heading=_("Person"),
        ),
        MultiFieldPanel(
            [
                FieldPanel("status"),
                FieldPanel("status_line"),
                FieldPanel("detained_on"),
                FieldPanel("released_on"),
                FieldPanel("time_zone"),
                FieldPanel("place_of_detention"),
            ],
            heading=_("Detention"),
        ),
        FieldPanel("summary"),
        FieldPanel("health_notes"),
    ]
    legal_panels = [
        MultiFieldPanel(
            [
                FieldPanel("court"),
                FieldPanel("plea"),
                FieldPanel("trial_openness"),
                FieldPanel("verdict_on"),
                FieldPanel("sentence"),
            ],
            heading=_("Trial"),
        ),
        InlinePanel("charges", label=_("Charge"), heading=_("Charges")),
        InlinePanel("orders", label=_("Detention order"), heading=_("Detention orders")),
        InlinePanel("deadlines", label=_("Deadline"), heading=_("Deadlines")),
        InlinePanel(
            "decisions", label=_("Decision"), heading=_("Decisions of international bodies")
        ),
    ]
    edit_handler = TabbedInterface(
        [
            ObjectList(content_panels, heading=_("Person and detention")),
            ObjectList(legal_panels, heading=_("Legal record")),
            ObjectList(Page.promote_panels, heading=_("Promote")),
            ObjectList(Page.settings_panels, heading=_("Settings")),
        ]
    )

    parent_page_types = ["cases.CaseIndexPage"]
    subpage_types = []

    class Meta:
        verbose_name = _("case")
        verbose_name_plural = _("cases")

    # The facts of the case: the same in every language. A translation shows the
    # original's (see shared_facts_adopt); wagtail-localize keeps its copies in sync
    # and offers no way to override them. Charges, decisions, orders and deadlines
    # are translatable child objects: their facts come from the original's rows too,
    # their texts from the translation's row with the same translation key.
    FACT_FIELDS = (
        "status",
        "detained_on",
        "released_on",
        "time_zone",
        "trial_openness",
        "verdict_on",
    )

    # wagtail-localize: text fields are translated, the rest stays in sync with the
    # original. The other spellings of the name are the same in every language.
    override_translatable_fields = [
        *(SynchronizedField(name, overridable=False) for name in FACT_FIELDS),
        SynchronizedField("other_spellings"),
    ]

    def clean(self):
        super().clean()
        if self.released_on and self.detained_on and self.released_on < self.detained_on:
            raise ValidationError(
                {"released_on": _("The release date cannot be before the detention date.")}
            )

    @property
    def display_name(self) -> str:
        return f"{self.honorific} {self.person_name}".strip()

    def shared_facts_adopt(self) -> None:
        """In another language, take the facts (dates, status, time zone) of the
        default-language case, as published: a translation's copies are only as recent
        as its last synchronisation. One query, once per instance; none in the default
        language."""
        if getattr(self, "_shared_facts_adopted", False):
            return
        self._shared_facts_adopted = True
        if (get_language() or settings.LANGUAGE_CODE) == settings.LANGUAGE_CODE:
            return
        if hasattr(self, "shared_pk"):  # loaded with the page: shared_facts_annotate
            if self.shared_pk is not None:
                for name in self.FACT_FIELDS:
                    setattr(self, name, getattr(self, f"shared_{name}"))
            return
        facts = (
            CasePage.objects.filter(
                translation_key=self.translation_key,
                locale__language_code=settings.LANGUAGE_CODE,
            )
            .exclude(pk=self.pk)
            .values(*self.FACT_FIELDS)
            .first()
        )
        for name, value in (facts or {}).items():
            setattr(self, name, value)

    @classmethod
    def shared_facts_annotate(cls, queryset):
        """Cases listed in another language, each with the facts of its default-language
        version in the same query (see shared_facts_adopt): no query per case."""
        if (get_language() or settings.LANGUAGE_CODE) == settings.LANGUAGE_CODE:
            return queryset
        from django.db.models import OuterRef, Subquery

        source = cls.objects.filter(
            translation_key=OuterRef("translation_key"),
            locale__language_code=settings.LANGUAGE_CODE,
        )
        names = ("pk", *cls.FACT_FIELDS)
        return queryset.annotate(
            **{f"shared_{name}": Subquery(source.values(name)[:1]) for name in names}
        )

    def serve(self, request, *args, **kwargs):
        self.shared_facts_adopt()
        return super().serve(request, *args, **kwargs)

    def days_detained(self, now=None) -> int:
        self.shared_facts_adopt()
        return services.case_days_detained(
            detained_on=self.detained_on,
            released_on=self.released_on,
            time_zone=self.time_zone,
            now=now,
        )

    def today(self):
        self.shared_facts_adopt()
        return services.case_today(time_zone=self.time_zone)

    # -- views ------------------------------------------------------------
    # The export routes end in "/" because Wagtail hands the page "<name>/"; the
    # public addresses are `case.json`, `case.ics` and `timeline.csv`, which reach
    # Wagtail through `exports.case_export_urlpatterns()` in the root URLconf.

    @path("")
    def case_view(self, request):
        return self.render(request)

    @path("kind/<slug:kind>/", name="by_kind")
    def by_kind(self, request, kind):
        if kind not in EventKind.values:
            raise Http404(gettext("There is no such kind of event."))
        return self.render(request, kind=kind)

    @path("fact-sheet/", name="fact_sheet")
    def fact_sheet(self, request):
        return self.render(request, template="cases/case_fact_sheet.html")

    def _record(self):
        """The case record as the case page shows it: in another language, the timeline
        (which belongs to the default-language case) with the editors' translations.

        Rendering many pages (snapshot_reads), it is read once per language for the case
        page, its filtered views, fact sheet and exports.
        """
        return snapshot_memo(
            ("case-record", self.pk, get_language()),
            lambda: self.exports["record"](case=self, events_of=page_source_id(page=self)),
        )

    @path("case.json/", name="json")
    def json_view(self, request):
        return JsonResponse(
            self.exports["json"](case=self, request=request, record=self._record()),
            json_dumps_params={"ensure_ascii": False, "indent": 2},
        )

    @path("case.ics/", name="ical")
    def ical_view(self, request):
        return HttpResponse(
            self.exports["ical"](case=self, request=request, record=self._record()),
            content_type="text/calendar; charset=utf-8",
        )

    @path("timeline.csv/", name="csv")
    def csv_view(self, request):
        response = HttpResponse(
            self.exports["csv"](case=self, record=self._record()),
            content_type="text/csv; charset=utf-8",
        )
        response["Content-Disposition"] = f'attachment; filename="{self.slug}-timeline.csv"'
        return response

    def get_context(self, request, *args, kind=None, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        # Timeline events and statements belong to the case in the default language.
        # Its id, as an SQL expression in another language: no query of its own.
        source = page_source_id(page=self)
        record = self._record()
        events = [e for e in record.events if e.kind == kind] if kind else record.events
        context.update(
            record=record,
            report=record.orders,
            current_kind=kind,
            timeline_events=events,
            glance=services.case_glance_build(
                decisions=record.decisions, deadlines=record.deadlines
            ),
            page_url=self.get_url(request),
            record_source=source,
            timeline_svg=snapshot_memo(
                ("case-timeline-svg", self.pk, get_language()),
                lambda: case_timeline_svg(
                    timeline=services.case_timeline_build(
                        case=self, report=record.orders, events=record.events, today=record.today
                    ),
                    described_by="case-orders",
                ),
            ),
        )
        return context

    @property
    def other_spellings_list(self) -> list[str]:
        return [s.strip() for s in self.other_spellings.split(",") if s.strip()]

    @property
    def former_roles_list(self) -> list[str]:
        return [r.strip() for r in self.former_roles.splitlines() if r.strip()]

    @property
    def health_notes_list(self) -> list[str]:
        return [n.strip() for n in self.health_notes.splitlines() if n.strip()]
