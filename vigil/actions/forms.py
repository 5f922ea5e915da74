"""Public forms. Every one carries a honeypot and a signed time stamp against bots."""

import functools

from django import forms
from django.conf import settings
from django.utils import translation
from django.utils.translation import get_language, gettext
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from vigil.core.collation import collation_key

from . import services
from .models.petitions import COMMENT_MAX_LENGTH, NAME_MAX_LENGTH


class BotTrapForm(forms.Form):
    """A field people never see (bots fill it in) and the time the form was rendered."""

    # Named like a real field so that bots fill it; hidden from people by CSS and
    # from screen readers by aria-hidden on its wrapper.
    website = forms.CharField(required=False, max_length=200, label=_("Leave this empty"))
    stamp = forms.CharField(widget=forms.HiddenInput, max_length=200)
    # Signed into the stamp: a stamp from one form is refused by every other.
    stamp_form = ""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial["stamp"] = services.form_stamp_make(form=self.stamp_form)
        self.fields["website"].widget.attrs.update({"tabindex": "-1", "autocomplete": "off"})

    def looks_automated(self) -> bool:
        """True for a filled honeypot, or a stamp that is forged, stale, too recent, made
        for another form or already used (checking it uses it up)."""
        data = self.data
        return bool(data.get("website")) or not services.form_stamp_valid(
            stamp=data.get("stamp", ""), form=self.stamp_form
        )

    def refresh_stamp(self) -> None:
        """Give a re-displayed form a new stamp, so that the next try is timed afresh."""
        self.data = self.data.copy()
        self.data["stamp"] = services.form_stamp_make(form=self.stamp_form)


@functools.cache
def _countries_sorted(language: str) -> tuple[tuple[str, str], ...]:
    # django-countries names them in the active language but, without PyUCA, cannot
    # sort Cyrillic names.
    named = [(country.code, str(country.name)) for country in countries]
    return tuple(sorted(named, key=lambda item: collation_key(item[1], language=language)))


def country_choices(*, language: str) -> list[tuple[str, str]]:
    """Every country, named and sorted in `language`, after an empty choice.

    Called at each rendering (never at import, when the language is English).
    """
    with translation.override(language):
        return [("", gettext("Choose your country")), *_countries_sorted(language)]


class SignatureForm(BotTrapForm):
    stamp_form = "sign"

    name = forms.CharField(
        label=_("Your name"),
        max_length=NAME_MAX_LENGTH,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    email = forms.EmailField(
        label=_("Email address"),
        max_length=254,
        help_text=_("We send a link to this address: your signature counts once you follow it."),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    country = forms.ChoiceField(
        label=_("Country"),
        choices=lambda: country_choices(language=get_language() or settings.LANGUAGE_CODE),
        widget=forms.Select(attrs={"autocomplete": "country"}),
    )
    comment = forms.CharField(
        label=_("Comment (optional, never published)"),
        required=False,
        max_length=COMMENT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    show_publicly = forms.BooleanField(
        label=_("Show my first name and country among the latest signers"), required=False
    )
    consent_updates = forms.BooleanField(
        label=_("Send me the campaign's email updates (you can unsubscribe at any time)"),
        required=False,
    )

    def clean_name(self):
        name = " ".join(self.cleaned_data["name"].split())
        if not name:
            raise forms.ValidationError(_("Please give your name."))
        return name


class SubscribeForm(BotTrapForm):
    stamp_form = "subscribe"

    email = forms.EmailField(
        label=_("Email address"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    language = forms.ChoiceField(label=_("Language of the updates"), choices=())

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["language"].choices = settings.LANGUAGES


class EraseForm(forms.Form):
    email = forms.EmailField(
        label=_("Email address"),
        max_length=254,
        help_text=_(
            "Every signature, subscription and pending email of this address is deleted. "
            "This cannot be undone."
        ),
    )
    confirm = forms.BooleanField(
        label=_("I understand that this erases the person's data for good"), required=True
    )
