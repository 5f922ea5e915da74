"""Petitions the campaign owns, their signatures, and petitions hosted elsewhere."""

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import OuterRef
from django.db.models.functions import Now
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField
from modelcluster.fields import ParentalKey
from modelcluster.models import ClusterableModel
from wagtail.admin.panels import FieldPanel, InlinePanel, MultiFieldPanel
from wagtail.contrib.routable_page.models import RoutablePageMixin, path
from wagtail.contrib.settings.models import BaseGenericSetting, register_setting
from wagtail.fields import RichTextField
from wagtail.models import Orderable, Page
from wagtail.search import index

from vigil.core.pages import PageMixin

NAME_MAX_LENGTH = 100
COMMENT_MAX_LENGTH = 500


class PetitionPage(PageMixin, RoutablePageMixin, Page):
    """A petition signed on this site; only confirmed signatures count."""

    # The views that answer this page's routes ("show", "sign", "sign_sent"), filled by
    # the app's AppConfig.ready(): a model never imports views (ARCHITECTURE.md).
    route_views: dict = {}

    untranslated_menu_title = _("Petition")
    show_in_menus_default = True

    case = models.ForeignKey(
        "cases.CasePage",
        verbose_name=_("case"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="petitions",
        help_text=_(
            "The case the petition is about. External petitions of the same case are "
            "shown beside it."
        ),
    )
    addressee = models.CharField(
        _("addressed to"),
        max_length=200,
        help_text=_("Who the petition asks to act, e.g. 'The President of Kazakhstan'."),
    )
    summary = models.TextField(
        _("summary"),
        max_length=400,
        help_text=_("One or two sentences shown in lists, search and when the page is shared."),
    )
    text = RichTextField(
        _("petition text"),
        features=["bold", "italic", "link", "ol", "ul"],
        help_text=_("The words people sign. Do not change them once people have signed."),
    )
    goal = models.PositiveIntegerField(
        _("goal"),
        default=1000,
        validators=[MinValueValidator(1)],
        help_text=_("The number of confirmed signatures the progress bar counts towards."),
    )
    opens_at = models.DateTimeField(
        _("opens"),
        default=timezone.now,
        help_text=_("Signing starts at this time."),
    )
    closes_at = models.DateTimeField(
        _("closes"),
        null=True,
        blank=True,
        help_text=_("Signing stops at this time. Leave empty to keep the petition open."),
    )
    show_signers = models.BooleanField(
        _("show recent signers"),
        default=True,
        help_text=_(
            "List the first name and country of the latest signers who agreed to be shown."
        ),
    )
    show_count_from = models.PositiveIntegerField(
        _("show the count from"),
        default=100,
        help_text=_(
            "Where this petition is the site's main action, its link shows how many people "
            "signed (on this site and the petitions elsewhere) once there are this many; "
            "below that it shows the goal, so it never leads with a small number."
        ),
    )
    thank_you = models.TextField(
        _("thank-you message"),
        max_length=600,
        blank=True,
        help_text=_("Shown once a signature is confirmed, e.g. what to do next."),
    )

    search_fields = Page.search_fields + [
        index.SearchField("summary"),
        index.SearchField("text"),
        index.SearchField("addressee"),
    ]

    content_panels = Page.content_panels + [
        FieldPanel("summary"),
        MultiFieldPanel([FieldPanel("addressee"), FieldPanel("text")], heading=_("The petition")),
        MultiFieldPanel(
            [
                FieldPanel("goal"),
                FieldPanel("opens_at"),
                FieldPanel("closes_at"),
                FieldPanel("show_signers"),
                FieldPanel("show_count_from"),
            ],
            heading=_("Signing"),
        ),
        FieldPanel("thank_you"),
        FieldPanel("case"),
    ]

    subpage_types = []

    class Meta:
        verbose_name = _("petition")
        verbose_name_plural = _("petitions")

    def clean(self):
        from django.core.exceptions import ValidationError

        super().clean()
        if self.closes_at and self.opens_at and self.closes_at <= self.opens_at:
            raise ValidationError({"closes_at": _("The petition must close after it opens.")})

    def call_to_action(self) -> str:
        """What a link to this page as the site's main action says ("": its title)."""
        return gettext("Sign the petition") if self.state() == "open" else ""

    def call_to_action_figure(self) -> dict:
        """The figure beside this petition's link as the site's main action (see
        signature_figure); nothing unless it is open."""
        figure = self.signature_figure()
        return figure if self.state() == "open" else {}

    def signature_figure(self) -> dict:
        """Everyone who signed for this petition's case ({"total": n}, on this site and
        elsewhere) once that is worth showing, else the goal ({"goal": n}).

        The menu loads this page with its fields deferred: one query reads the fields the
        link needs and both counts.
        """
        from vigil.actions import services  # circle: the services import these models

        fields = ("opens_at", "closes_at", "show_count_from", "goal")
        row = (
            PetitionPage.objects.filter(pk=self.pk)
            .values(
                *fields,
                **services.petitions_total_expressions(case_key=OuterRef("case__translation_key")),
            )
            .first()
        )
        if row is None:
            return {}
        for field in fields:
            setattr(self, field, row[field])
        total = row["signed"] + row["signed_elsewhere"]
        return {"total": total} if total >= self.show_count_from else {"goal": self.goal}

    def state(self, now=None) -> str:
        """'upcoming', 'open' or 'closed' at `now`."""
        now = now or timezone.now()
        if self.opens_at and now < self.opens_at:
            return "upcoming"
        if self.closes_at and now >= self.closes_at:
            return "closed"
        return "open"

    def get_context(self, request, *args, **kwargs):
        from vigil.actions import services  # circle: the services import these models

        context = super().get_context(request, *args, **kwargs)
        context.update(services.petition_overview(petition=self))
        context.setdefault("form", None)
        return context

    @path("")
    def petition(self, request):
        return self.route_views["show"](request, petition=self)

    @path("sign/")
    def sign(self, request):
        return self.route_views["sign"](request, petition=self)

    @path("sign/sent/")
    def sign_sent(self, request):
        return self.route_views["sign_sent"](request, petition=self)


class Signature(models.Model):
    """One person's signature. It counts once `confirmed_at` is set by the email link."""

    petition = models.ForeignKey(
        PetitionPage,
        verbose_name=_("petition"),
        on_delete=models.CASCADE,
        related_name="signatures",
        help_text=_("The petition signed."),
    )
    name = models.CharField(
        _("name"), max_length=NAME_MAX_LENGTH, help_text=_("The signer's name as they gave it.")
    )
    email = models.EmailField(
        _("email"), help_text=_("Normalised (trimmed, lower case); one signature per address.")
    )
    country = CountryField(_("country"), help_text=_("The country the signer lives in."))
    comment = models.TextField(
        _("comment"),
        max_length=COMMENT_MAX_LENGTH,
        blank=True,
        help_text=_("Optional words from the signer. Never published."),
    )
    consent_updates = models.BooleanField(
        _("wants email updates"),
        default=False,
        help_text=_("The signer asked to receive the campaign's email updates."),
    )
    show_publicly = models.BooleanField(
        _("may be shown"),
        default=False,
        help_text=_("The signer agreed to their first name and country being shown."),
    )
    language = models.CharField(
        _("language"),
        max_length=10,
        help_text=_("The language the signer used; their emails are sent in it."),
    )
    created_at = models.DateTimeField(
        _("signed at"), db_default=Now(), help_text=_("When the form was sent.")
    )
    confirmed_at = models.DateTimeField(
        _("confirmed at"),
        null=True,
        blank=True,
        help_text=_("When the signer followed the confirmation link. Empty: not counted."),
    )

    class Meta:
        verbose_name = _("signature")
        verbose_name_plural = _("signatures")
        constraints = [
            # Concurrent signing with the same address must not make two rows: without
            # this PostgreSQL kept 242 rows for 200 addresses (measured here).
            models.UniqueConstraint(
                fields=["petition", "email"], name="actions_signature_one_per_email"
            ),
        ]
        indexes = [models.Index(fields=["petition", "confirmed_at"])]
        permissions = [("export_signature", _("Can export signatures as CSV"))]

    def __str__(self):
        return str(_("Signature #%(pk)s") % {"pk": self.pk})

    @property
    def first_name(self) -> str:
        return self.name.split()[0] if self.name.split() else ""


class ExternalPetition(ClusterableModel):
    """A petition hosted elsewhere (Change.org and the like), with counts editors copy in."""

    title = models.CharField(
        _("title"), max_length=200, help_text=_("The petition's title on the other site.")
    )
    platform = models.CharField(
        _("platform"), max_length=80, help_text=_("Where it is hosted, e.g. 'Change.org'.")
    )
    url = models.URLField(
        _("address"),
        max_length=500,
        blank=True,
        help_text=_("The petition's public address. Leave empty if it is no longer online."),
    )
    case = models.ForeignKey(
        "cases.CasePage",
        verbose_name=_("case"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="external_petitions",
        help_text=_("The case it is about; shown beside the case's own petitions."),
    )

    panels = [
        MultiFieldPanel(
            [FieldPanel("title"), FieldPanel("platform"), FieldPanel("url"), FieldPanel("case")],
            heading=_("Petition"),
        ),
        InlinePanel(
            "counts",
            label=_("Count"),
            heading=_("Signature counts"),
            help_text=_("Add a row each time you read the count; the newest is shown."),
            min_num=1,
        ),
    ]

    class Meta:
        verbose_name = _("external petition")
        verbose_name_plural = _("external petitions")

    def __str__(self):
        return self.title


class ExternalPetitionCount(Orderable):
    """The count shown on an external petition on one day."""

    petition = ParentalKey(ExternalPetition, on_delete=models.CASCADE, related_name="counts")
    date = models.DateField(_("date"), help_text=_("The day you read the count."))
    count = models.PositiveIntegerField(
        _("signatures"), help_text=_("The number of signatures the site showed that day.")
    )

    panels = [FieldPanel("date"), FieldPanel("count")]

    class Meta(Orderable.Meta):
        verbose_name = _("count")
        verbose_name_plural = _("counts")


@register_setting(icon="mail")
class ActionSettings(BaseGenericSetting):
    unconfirmed_retention_days = models.PositiveSmallIntegerField(
        _("keep unconfirmed signatures for (days)"),
        default=7,
        validators=[MinValueValidator(1), MaxValueValidator(365)],
        help_text=_(
            "Signatures and subscriptions never confirmed are deleted after this many days."
        ),
    )

    panels = [FieldPanel("unconfirmed_retention_days")]

    class Meta:
        verbose_name = _("petitions and email settings")
