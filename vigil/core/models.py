"""Settings and abstract parts shared by every page type."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel, MultiFieldPanel
from wagtail.contrib.settings.models import BaseSiteSetting, register_setting

from .page_forms import CitingPageForm
from .registry import body_filters
from .services import body_link_references, page_references, translation_languages


@register_setting(icon="site")
class CampaignSettings(BaseSiteSetting):
    campaign_name = models.CharField(
        _("campaign name"),
        max_length=120,
        default="Vigil",
        help_text=_("Shown at the top of every page and in feeds, e.g. 'Free Karim Massimov'."),
    )
    tagline = models.CharField(
        _("tagline"),
        max_length=200,
        blank=True,
        help_text=_("One line under the campaign name and in search results."),
    )
    hashtag = models.CharField(
        _("hashtag"),
        max_length=80,
        blank=True,
        help_text=_("The campaign's hashtag with its #, shown in the footer."),
    )
    twitter_handle = models.CharField(
        _("X (Twitter) account"),
        max_length=50,
        blank=True,
        help_text=_("Without the @. Used for the card shown when a page is shared."),
    )
    about_page = models.ForeignKey(
        "wagtailcore.Page",
        verbose_name=_("about page"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("Linked from the footer of every page."),
    )
    privacy_page = models.ForeignKey(
        "wagtailcore.Page",
        verbose_name=_("privacy page"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("Linked from the footer and from every form that asks for personal data."),
    )
    # The press page (vigil/press) shows these four; each is optional, and the contact
    # section is left out when all are empty.
    press_contact_name = models.CharField(
        _("press contact"),
        max_length=200,
        blank=True,
        help_text=_("The person or team journalists should ask, e.g. 'Press team'."),
    )
    press_contact_email = models.EmailField(
        _("press email"),
        blank=True,
        help_text=_("Shown on the press page as a link that opens the reader's mail program."),
    )
    press_contact_phone = models.CharField(
        _("press phone"),
        max_length=50,
        blank=True,
        help_text=_("With the country code, e.g. '+44 20 7946 0000'."),
    )
    press_contact_messenger = models.CharField(
        _("Signal or Telegram"),
        max_length=100,
        blank=True,
        help_text=_(
            "A Signal or Telegram handle journalists can write to, e.g. 'Signal: @vigil.01'."
        ),
    )

    panels = [
        MultiFieldPanel(
            [FieldPanel("campaign_name"), FieldPanel("tagline"), FieldPanel("hashtag")],
            heading=_("Identity"),
        ),
        MultiFieldPanel([FieldPanel("twitter_handle")], heading=_("Sharing")),
        MultiFieldPanel(
            [FieldPanel("about_page"), FieldPanel("privacy_page")], heading=_("Footer links")
        ),
        MultiFieldPanel(
            [
                FieldPanel("press_contact_name"),
                FieldPanel("press_contact_email"),
                FieldPanel("press_contact_phone"),
                FieldPanel("press_contact_messenger"),
            ],
            heading=_("Press"),
        ),
    ]

    class Meta:
        verbose_name = _("campaign settings")


class SourceReference(models.Model):
    """A source cited by number in a page's text: the numbered list at its end."""

    # Reports and court rulings have titles of several hundred characters; an imported
    # WordPress reference keeps its whole title.
    title = models.CharField(
        _("title"), max_length=1000, help_text=_("Title of the source as its publisher gives it.")
    )
    publisher = models.CharField(
        _("publisher"),
        max_length=200,
        blank=True,
        help_text=_("Who published it, e.g. 'UN Working Group on Arbitrary Detention'."),
    )
    published_on = models.DateField(
        _("date"), null=True, blank=True, help_text=_("When the source was published.")
    )
    url = models.URLField(
        _("link"),
        max_length=1000,
        blank=True,
        help_text=_("Address where readers can read the source. Leave empty if it is not online."),
    )
    document = models.ForeignKey(
        settings.WAGTAILDOCS_DOCUMENT_MODEL,
        verbose_name=_("library document"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("The copy of the source kept in the campaign's library, if there is one."),
    )

    panels = [
        FieldPanel("title"),
        FieldPanel("publisher"),
        FieldPanel("published_on"),
        FieldPanel("url"),
        FieldPanel("document"),
    ]

    class Meta:
        abstract = True

    def __str__(self):
        return self.title


class CitingPageMixin:
    """A page whose body cites its `references` by number."""

    # Drops the reference rows an editor added and left empty.
    base_form_class = CitingPageForm

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        references = page_references(page=self)
        html = str(self.body.render_as_block(context={"request": request, "page": self}))
        # The apps' filters (the day count: cases/apps.py), registered in their ready().
        for body_filter in body_filters():
            html = body_filter(html, request)
        cited = body_link_references(html=html, reference_count=len(references))
        context["body_html"] = cited.html
        context["references"] = [
            (number, reference, cited.citations.get(number, []))
            for number, reference in enumerate(references, start=1)
        ]
        return context


class TextTranslation(models.Model):
    """An object's title and description in another language: the "In other languages"
    rows of snippets that are not pages (timeline events, series). Subclasses add the
    key to their object and a unique (object, language) constraint."""

    language = models.CharField(
        _("language"),
        max_length=10,
        choices=translation_languages,
        help_text=_("The language of this translation."),
    )

    panels = [FieldPanel("language"), FieldPanel("title"), FieldPanel("description")]

    class Meta:
        abstract = True

    def __str__(self):
        return self.title


class Schedule(models.Model):
    """When a periodic background task runs next (vigil/core/tasks.py).

    The row is the scheduler's claim: a worker fires the task by moving `next_run_at`
    forward in one conditional update, so two workers never fire one period twice.
    """

    name = models.CharField(
        _("name"), max_length=100, primary_key=True, help_text=_("The task's name.")
    )
    every = models.PositiveIntegerField(
        _("every (seconds)"), help_text=_("How often the task runs.")
    )
    next_run_at = models.DateTimeField(
        _("next run"), help_text=_("The task is queued once this time has passed.")
    )
    last_fired_at = models.DateTimeField(
        _("last queued"), null=True, blank=True, help_text=_("When it was last queued.")
    )

    class Meta:
        verbose_name = _("scheduled task")
        verbose_name_plural = _("scheduled tasks")

    def __str__(self):
        return self.name


class Lease(models.Model):
    """Who may do a kind of work alone (one mail sender, one mirror export), on SQLite.

    PostgreSQL uses advisory locks instead (vigil/core/leases.py). A lease names the
    process holding it: on SQLite every process is on one machine, so a holder that
    died is seen at once and its lease taken over.
    """

    name = models.CharField(
        _("name"), max_length=100, primary_key=True, help_text=_("The kind of work.")
    )
    holder = models.CharField(
        _("holder"), max_length=200, blank=True, help_text=_("host:process:token, or empty.")
    )
    taken_at = models.DateTimeField(
        _("taken at"), null=True, blank=True, help_text=_("When the holder took it.")
    )

    class Meta:
        verbose_name = _("lease")
        verbose_name_plural = _("leases")

    def __str__(self):
        return self.name
