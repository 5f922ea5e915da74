"""The case record: charges, international decisions, detention orders, deadlines, timeline."""

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey, ParentalManyToManyField
from modelcluster.models import ClusterableModel
from wagtail import blocks
from wagtail.admin.panels import FieldPanel, FieldRowPanel, InlinePanel, MultiFieldPanel
from wagtail.fields import StreamField
from wagtail.models import Orderable, TranslatableMixin
from wagtail.search import index

from vigil.core.models import SourceReference, TextTranslation


class DatePrecision(models.TextChoices):
    DAY = "day", _("Exact day")
    MONTH = "month", _("Month only")
    APPROXIMATE = "approx", _("Approximate")


class ChargeStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    DROPPED = "dropped", _("Dropped")
    CONVICTED = "convicted", _("Convicted")
    ACQUITTED = "acquitted", _("Acquitted")
    APPEAL = "appeal", _("Under appeal")


class Charge(TranslatableMixin, Orderable):
    case = ParentalKey("cases.CasePage", on_delete=models.CASCADE, related_name="charges")
    article = models.CharField(
        _("article"),
        max_length=100,
        blank=True,
        help_text=_("Article of the criminal code, e.g. 'Article 179'."),
    )
    title = models.CharField(
        _("charge"), max_length=200, help_text=_("The charge in plain words, e.g. 'Treason'.")
    )
    history = StreamField(
        [
            (
                "status",
                blocks.StructBlock(
                    [
                        ("date", blocks.DateBlock(label=_("Date"))),
                        (
                            "status",
                            blocks.ChoiceBlock(choices=ChargeStatus.choices, label=_("Status")),
                        ),
                        ("note", blocks.CharBlock(required=False, label=_("Note"))),
                    ],
                    label=_("Status change"),
                ),
            )
        ],
        blank=True,
        use_json_field=True,
        help_text=_("Each change of status with its date, oldest first. The last one is current."),
    )

    panels = [FieldRowPanel([FieldPanel("article"), FieldPanel("title")]), FieldPanel("history")]

    class Meta(TranslatableMixin.Meta, Orderable.Meta):
        verbose_name = _("charge")

    def __str__(self):
        return f"{self.article} {self.title}".strip()

    @property
    def current_status(self) -> str:
        changes = [b.value for b in self.history]
        return changes[-1]["status"] if changes else ChargeStatus.PENDING

    def get_current_status_display(self) -> str:
        return ChargeStatus(self.current_status).label


class InternationalDecision(TranslatableMixin, Orderable):
    case = ParentalKey("cases.CasePage", on_delete=models.CASCADE, related_name="decisions")
    body = models.CharField(
        _("body"),
        max_length=200,
        help_text=_("E.g. 'UN Working Group on Arbitrary Detention'."),
    )
    reference = models.CharField(
        _("reference"), max_length=100, blank=True, help_text=_("E.g. 'Opinion No. 57/2022'.")
    )
    decided_on = models.DateField(_("date"), help_text=_("When the decision was adopted."))
    finding = models.TextField(
        _("finding"), help_text=_("What the body found and asked for, in a sentence or two.")
    )
    categories = models.CharField(
        _("categories"),
        max_length=100,
        blank=True,
        help_text=_("E.g. 'I and III' for the Working Group's categories of arbitrariness."),
    )
    url = models.URLField(
        _("link"), max_length=1000, blank=True, help_text=_("Where the decision is published.")
    )

    panels = [
        FieldRowPanel([FieldPanel("body"), FieldPanel("reference"), FieldPanel("decided_on")]),
        FieldPanel("finding"),
        FieldRowPanel([FieldPanel("categories"), FieldPanel("url")]),
    ]

    class Meta(TranslatableMixin.Meta, Orderable.Meta):
        verbose_name = _("Decision")


class DetentionOrder(TranslatableMixin, Orderable):
    """A court order that is the legal basis for holding the person, with its end date."""

    case = ParentalKey("cases.CasePage", on_delete=models.CASCADE, related_name="orders")
    authorised_on = models.DateField(
        _("authorised on"),
        null=True,
        blank=True,
        help_text=_("When the court made the order. Leave empty if it was never made public."),
    )
    authorised_by = models.CharField(
        _("authorised by"),
        max_length=300,
        blank=True,
        help_text=_("The court or official, e.g. 'unnamed court; ruling not published'."),
    )
    valid_until = models.DateField(
        _("valid until"), help_text=_("The last day the order allows the person to be held.")
    )
    announced_on = models.DateField(
        _("announced on"),
        null=True,
        blank=True,
        help_text=_("When the order became public, if later than it was made."),
    )
    source = models.CharField(
        _("source"),
        max_length=300,
        blank=True,
        help_text=_("Where we learned of it, e.g. 'KNB press release'."),
    )
    source_url = models.URLField(
        _("source link"), max_length=1000, blank=True, help_text=_("Link to the source, if online.")
    )
    note = models.CharField(
        _("note"),
        max_length=300,
        blank=True,
        help_text=_("E.g. 'no public statement of an extension when the previous order ran out'."),
    )

    panels = [
        FieldRowPanel(
            [FieldPanel("authorised_on"), FieldPanel("valid_until"), FieldPanel("announced_on")]
        ),
        FieldPanel("authorised_by"),
        FieldRowPanel([FieldPanel("source"), FieldPanel("source_url")]),
        FieldPanel("note"),
    ]

    class Meta(TranslatableMixin.Meta, Orderable.Meta):
        verbose_name = _("detention order")

    def clean(self):
        super().clean()
        if self.authorised_on and self.valid_until and self.valid_until < self.authorised_on:
            raise ValidationError(
                {"valid_until": _("An order cannot end before the day it was authorised.")}
            )
        if self.authorised_on and self.announced_on and self.announced_on < self.authorised_on:
            raise ValidationError(
                {"announced_on": _("An order cannot be announced before it was authorised.")}
            )


class DeadlineStatus(models.TextChoices):
    OPEN = "open", _("Open")
    MET = "met", _("Met")
    MISSED = "missed", _("Missed")


class Deadline(TranslatableMixin, Orderable):
    case = ParentalKey("cases.CasePage", on_delete=models.CASCADE, related_name="deadlines")
    title = models.CharField(
        _("what is due"),
        max_length=300,
        help_text=_("E.g. 'Government's reply to the UN Working Group'."),
    )
    owed_by = models.CharField(
        _("owed by"), max_length=200, blank=True, help_text=_("Who must act, e.g. 'Government'.")
    )
    due_on = models.DateField(_("due on"), help_text=_("The last day to act."))
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=DeadlineStatus.choices,
        default=DeadlineStatus.OPEN,
        help_text=_("Mark 'met' or 'missed' once the date has passed and you know which."),
    )
    note = models.CharField(
        _("note"), max_length=300, blank=True, help_text=_("Anything readers should know.")
    )

    panels = [
        FieldRowPanel([FieldPanel("title"), FieldPanel("owed_by")]),
        FieldRowPanel([FieldPanel("due_on"), FieldPanel("status")]),
        FieldPanel("note"),
    ]

    class Meta(TranslatableMixin.Meta, Orderable.Meta):
        verbose_name = _("deadline")


class EventKind(models.TextChoices):
    DETENTION = "detention", _("Detention")
    DETENTION_ORDER = "detention_order", _("Detention order")
    CHARGE = "charge", _("Charge")
    COURT = "court", _("Court")
    VERDICT = "verdict", _("Verdict")
    MEDICAL = "medical", _("Medical")
    UN_BODY = "un_body", _("UN body")
    STATEMENT = "statement", _("Statement")
    PETITION = "petition", _("Petition")
    DEADLINE = "deadline", _("Deadline")
    DEFENCE = "defence", _("Defence")
    CONTEXT = "context", _("Context")


class TimelineEvent(index.Indexed, ClusterableModel):
    """One dated event in the case, shown on the case page's timeline."""

    case = models.ForeignKey(
        "cases.CasePage",
        verbose_name=_("case"),
        on_delete=models.CASCADE,
        related_name="events",
        help_text=_("The case this event belongs to."),
    )
    date = models.DateField(_("date"), help_text=_("When it happened (the first day, if several)."))
    precision = models.CharField(
        _("date precision"),
        max_length=10,
        choices=DatePrecision.choices,
        default=DatePrecision.DAY,
        help_text=_("Choose 'Month only' or 'Approximate' when the source gives no exact day."),
    )
    kind = models.CharField(
        _("kind"), max_length=20, choices=EventKind.choices, help_text=_("What sort of event.")
    )
    title = models.CharField(
        _("title"), max_length=300, help_text=_("One line, e.g. 'Closed trial begins'.")
    )
    description = models.TextField(
        _("description"), blank=True, help_text=_("A few sentences of detail, if needed.")
    )
    updates = ParentalManyToManyField(
        "news.UpdatePage",
        verbose_name=_("linked updates"),
        blank=True,
        related_name="timeline_events",
        help_text=_("Updates that report this event."),
    )

    panels = [
        FieldPanel("case"),
        FieldRowPanel([FieldPanel("date"), FieldPanel("precision"), FieldPanel("kind")]),
        FieldPanel("title"),
        FieldPanel("description"),
        InlinePanel("sources", label=_("Source"), heading=_("Sources")),
        InlinePanel(
            "translations",
            label=_("Translation"),
            heading=_("In other languages"),
            help_text=_(
                "The title, description and sources as readers of another language see them."
            ),
        ),
        MultiFieldPanel([FieldPanel("updates")], heading=_("Linked updates")),
    ]
    search_fields = [index.SearchField("title"), index.AutocompleteField("title")]

    class Meta:
        verbose_name = _("timeline event")
        verbose_name_plural = _("timeline events")
        ordering = ["date", "pk"]

    def __str__(self):
        return f"{self.date:%Y-%m-%d} {self.title}"

    @property
    def anchor(self) -> str:
        return f"event-{self.pk}"


def source_lines_parse(text: str) -> list[tuple[str, str] | None]:
    """A translation's sources field: per line, (title, publisher), or None for an empty
    line (that source is shown as published). A line without '|' is a title alone."""
    parsed: list[tuple[str, str] | None] = []
    for line in text.splitlines():
        title, _bar, publisher = line.partition("|")
        title, publisher = title.strip(), publisher.strip()
        parsed.append((title, publisher) if title or publisher else None)
    return parsed


class TimelineEventTranslation(Orderable, TextTranslation):
    """An event's title, description and sources in another language."""

    event = ParentalKey(TimelineEvent, on_delete=models.CASCADE, related_name="translations")
    title = models.CharField(_("title"), max_length=300, help_text=_("The event in one line."))
    description = models.TextField(
        _("description"), blank=True, help_text=_("The detail, if the original has any.")
    )
    sources = models.TextField(
        _("sources"),
        blank=True,
        help_text=_(
            "The event's sources as readers of this language see them: one line per source, "
            "in the order of the Sources section, written as 'title | publisher'. Leave a "
            "line empty to show that source as published."
        ),
    )

    panels = [*TextTranslation.panels, FieldPanel("sources")]

    class Meta(Orderable.Meta):
        verbose_name = _("timeline event translation")
        verbose_name_plural = _("timeline event translations")
        constraints = [
            models.UniqueConstraint(
                fields=["event", "language"], name="cases_event_translation_once"
            ),
        ]


class TimelineSource(Orderable, SourceReference):
    event = ParentalKey(TimelineEvent, on_delete=models.CASCADE, related_name="sources")
