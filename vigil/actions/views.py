"""Public views for signing, confirming, withdrawing, subscribing and unsubscribing.

Links in emails only ever show a page with a button: the change happens on POST, so
mail scanners that open every link cannot confirm or withdraw anything.
"""

from urllib.parse import parse_qsl

from django.conf import settings
from django.http import HttpResponseNotAllowed, HttpResponseRedirect
from django.http.request import RawPostDataException
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.cache import patch_cache_control
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt

from vigil.core.services import language_prefix, page_localised, request_client_ip

from . import services
from .forms import SignatureForm, SubscribeForm
from .models import PetitionPage


def _client_ip(request) -> str:
    return request_client_ip(request=request)


def _body_invalid_utf8(request) -> bool:
    """Django replaces bad bytes silently; a form post with invalid UTF-8 is refused instead."""
    try:
        text = request.body.decode("utf-8")
        if request.content_type == "application/x-www-form-urlencoded":
            parse_qsl(text, keep_blank_values=True, encoding="utf-8", errors="strict")
    except UnicodeDecodeError:
        return True
    except RawPostDataException:
        return False
    return False


def _base_url(request) -> str:
    return request.build_absolute_uri("/").rstrip("/")


def _home_url() -> str:
    """The home page in the reader's language: "back to the site" from /kk/ stays in Kazakh."""
    return language_prefix(language=get_language() or settings.LANGUAGE_CODE) + "/"


def _private(response):
    # Forms carry a CSRF token and answers can name a petition the reader signed:
    # never let a shared cache keep them.
    patch_cache_control(response, private=True, no_store=True)
    return response


def message_page(
    request,
    *,
    title,
    message,
    status=200,
    form_action=None,
    button=None,
    back_url=None,
    back_label=None,
    extra=None,
):
    """A page with one message, and optionally one button that POSTs to `form_action`."""
    context = {
        "title": title,
        "message": message,
        "form_action": form_action,
        "button": button,
        "back_url": back_url,
        "back_label": back_label,
        **(extra or {}),
    }
    return _private(TemplateResponse(request, "actions/message.html", context, status=status))


def _error_page(request, error: services.ActionError, *, back_url=None):
    titles = {
        410: _("Already done"),
        409: _("Please try again"),
    }
    return message_page(
        request,
        title=titles.get(error.status, _("This could not be done")),
        message=error.message,
        status=error.status,
        back_url=back_url,
        back_label=_("Back to the site") if back_url else None,
    )


# --- Petition page routes ----------------------------------------------------------------


def petition_show(request, *, petition: PetitionPage):
    if request.method not in ("GET", "HEAD"):
        return HttpResponseNotAllowed(["GET", "HEAD"])
    form = SignatureForm() if petition.state() == "open" else None
    return _petition_render(request, petition=petition, form=form)


def _petition_render(request, *, petition: PetitionPage, form, status=200, notice=None):
    response = petition.render(
        request,
        context_overrides={"form": form, "notice": notice},
    )
    response.status_code = status
    return _private(response) if form is not None else response


def _form_refusal(request, form, *, scope: str) -> tuple[int, str] | None:
    """Why a posted public form is refused, as (HTTP status, message); None to accept it.

    The same checks guard signing and subscribing: invalid UTF-8, the per-IP rate
    limit, the bot traps, the fields, and the limit of emails to one address.
    """
    if _body_invalid_utf8(request):
        return 400, _("The form contained characters that could not be read. Please try again.")
    limit, period = settings.ACTIONS_RATE_LIMIT
    if services.rate_limit_exceeded(
        scope=scope, key=_client_ip(request), limit=limit, period=period
    ):
        return 429, _("Too many requests have come from your connection. Please try later.")
    if form.looks_automated():
        return 400, _(
            "Your request could not be accepted. Please wait a few seconds, check the form "
            "and send it again."
        )
    if not form.is_valid():
        return 400, _("Please correct the errors below.")
    email = services.email_normalise(email=form.cleaned_data["email"])
    # Stops the form being used to flood one inbox with confirmation requests.
    if services.rate_limit_exceeded(
        scope=f"{scope}-email", key=email, limit=settings.ACTIONS_EMAIL_LIMIT, period=3600
    ):
        return 429, _("We have already sent several emails to this address. Please check it.")
    return None


def petition_sign(request, *, petition: PetitionPage):
    page_url = petition.get_url(request)
    if request.method != "POST":
        return HttpResponseRedirect(page_url)
    state = petition.state()
    if state != "open":
        message = (
            _("This petition is closed: signatures are no longer collected.")
            if state == "closed"
            else _("This petition is not open for signing yet.")
        )
        return _petition_render(request, petition=petition, form=None, status=400, notice=message)
    form = SignatureForm(request.POST)
    refusal = _form_refusal(request, form, scope="sign")
    if refusal is None:
        data = form.cleaned_data
        try:
            services.petition_sign(
                petition=petition,
                name=data["name"],
                email=data["email"],
                country=data["country"],
                comment=data["comment"],
                consent_updates=data["consent_updates"],
                show_publicly=data["show_publicly"],
                language=get_language() or settings.LANGUAGE_CODE,
                base_url=_base_url(request),
            )
        except services.ActionError as error:
            refusal = error.status, error.message
        else:
            return HttpResponseRedirect(page_url + "sign/sent/", status=303)
    status, notice = refusal
    form.refresh_stamp()
    return _petition_render(request, petition=petition, form=form, status=status, notice=notice)


def petition_sign_sent(request, *, petition: PetitionPage):
    return message_page(
        request,
        title=_("Check your email"),
        message=_(
            "We have sent you an email. Your signature counts once you follow the link in "
            "it. If nothing arrives within a few minutes, look in your spam folder."
        ),
        back_url=petition.get_url(request),
        back_label=_("Back to the petition"),
        # The page's share tags and picture are the petition's: who shares this address
        # shares the petition.
        extra={"share_page": petition, **_petition_share(request, petition)},
    )


def _petition_share(request, petition: PetitionPage) -> dict:
    """What the share links after signing pass on: the petition, in the signer's language."""
    shown = _petition_shown(petition)
    return {"share_url": shown.get_full_url(request), "share_title": shown.title}


# --- Links from emails -------------------------------------------------------------------


def _email_link(request, *, check, act, ask, done, already=None):
    """A link from an email: GET shows one button (or says it is already done), POST acts.

    `check()` reads the token, `act()` carries the change out; `ask(obj)`, `done(result)`
    and `already(obj)` give the message page's title, message and links.
    """
    try:
        target = check()
        if request.method != "POST":
            shown = already(target) if already else None
            if shown:
                return message_page(request, **shown)
            return message_page(request, form_action=request.path, **ask(target))
        result = act()
    except services.ActionError as error:
        return _error_page(request, error, back_url=_home_url())
    return message_page(request, **done(result))


def _petition_shown(petition: PetitionPage) -> PetitionPage:
    """The petition in the reader's language: signatures belong to the original, but a
    reader who signed in Russian reads its Russian title and thank-you text."""
    return page_localised(page=petition)


def _back_to_petition(request, petition) -> dict:
    return {
        "back_url": _petition_shown(petition).get_url(request),
        "back_label": _("Back to the petition"),
    }


def signature_confirm(request, token: str):
    def already(signature):
        if signature.confirmed_at:
            return {
                "title": _("Already confirmed"),
                "message": _("Your signature was already confirmed. Thank you."),
                **_back_to_petition(request, signature.petition),
            }
        return None

    def done(result):
        signature, was_confirmed = result
        return {
            "title": _("Thank you"),
            "message": _("Your signature was already confirmed. Thank you.")
            if was_confirmed
            else _("Your signature is confirmed and now counts. Thank you."),
            "extra": {
                "thank_you": _petition_shown(signature.petition).thank_you,
                "share_page": _petition_shown(signature.petition),
                **_petition_share(request, signature.petition),
            },
            **_back_to_petition(request, signature.petition),
        }

    return _email_link(
        request,
        check=lambda: services.signature_check(
            purpose=services.PURPOSE_SIGNATURE_CONFIRM, token=token
        ),
        act=lambda: services.signature_confirm(token=token),
        already=already,
        ask=lambda signature: {
            "title": _("Confirm your signature"),
            "message": _("Press the button to confirm your signature on “%(title)s”.")
            % {"title": _petition_shown(signature.petition).title},
            "button": _("Confirm my signature"),
        },
        done=done,
    )


def signature_withdraw(request, token: str):
    return _email_link(
        request,
        check=lambda: services.signature_check(
            purpose=services.PURPOSE_SIGNATURE_WITHDRAW, token=token
        ),
        act=lambda: services.signature_withdraw(token=token),
        ask=lambda signature: {
            "title": _("Withdraw your signature"),
            "message": _(
                "Press the button to withdraw your signature from “%(title)s”. It is "
                "deleted at once and no longer counts."
            )
            % {"title": _petition_shown(signature.petition).title},
            "button": _("Withdraw my signature"),
        },
        done=lambda petition: {
            "title": _("Signature withdrawn"),
            "message": _("Your signature has been deleted. It no longer counts."),
            **_back_to_petition(request, petition),
        },
    )


def subscribe(request):
    if request.method == "POST":
        form = SubscribeForm(request.POST)
        refusal = _form_refusal(request, form, scope="subscribe")
        if refusal is None:
            try:
                services.subscriber_request(
                    email=form.cleaned_data["email"],
                    language=form.cleaned_data["language"],
                    base_url=_base_url(request),
                )
            except services.ActionError as error:
                refusal = error.status, error.message
            else:
                return HttpResponseRedirect(reverse("actions:subscribe_sent"), status=303)
        status, notice = refusal
        form.refresh_stamp()
        return _subscribe_page(request, form, status=status, notice=notice)
    if request.method not in ("GET", "HEAD"):
        return HttpResponseNotAllowed(["GET", "HEAD", "POST"])
    return _subscribe_page(request, SubscribeForm(initial={"language": get_language()}))


def _subscribe_page(request, form, *, status=200, notice=None):
    return _private(
        TemplateResponse(
            request, "actions/subscribe.html", {"form": form, "notice": notice}, status=status
        )
    )


def subscribe_sent(request):
    return message_page(
        request,
        title=_("Check your email"),
        message=_(
            "If this address is not subscribed yet, we have sent it a link. Your "
            "subscription starts once you follow it."
        ),
    )


def subscriber_confirm(request, token: str):
    back = {"back_url": _home_url(), "back_label": _("Back to the site")}
    return _email_link(
        request,
        check=lambda: services.subscriber_check(
            purpose=services.PURPOSE_SUBSCRIBER_CONFIRM, token=token
        ),
        act=lambda: services.subscriber_confirm(token=token),
        already=lambda subscriber: (
            {
                "title": _("Already subscribed"),
                "message": _("Your subscription was already confirmed."),
                **back,
            }
            if subscriber.confirmed_at
            else None
        ),
        ask=lambda subscriber: {
            "title": _("Confirm your subscription"),
            "message": _("Press the button to start receiving the campaign's email updates."),
            "button": _("Confirm my subscription"),
        },
        done=lambda was_confirmed: {
            "title": _("Subscribed"),
            "message": _("Your subscription was already confirmed.")
            if was_confirmed
            else _("Your subscription is confirmed. Every email has a link to unsubscribe."),
            **back,
        },
    )


@csrf_exempt  # RFC 8058: mail clients POST here without a form of ours; the token is the key.
def unsubscribe(request, token: str):
    return _email_link(
        request,
        check=lambda: services.subscriber_check(purpose=services.PURPOSE_UNSUBSCRIBE, token=token),
        act=lambda: services.subscriber_unsubscribe(token=token),
        ask=lambda subscriber: {
            "title": _("Unsubscribe"),
            "message": _("Press the button to stop receiving the campaign's email updates."),
            "button": _("Unsubscribe"),
        },
        done=lambda _result: {
            "title": _("Unsubscribed"),
            "message": _("You will receive no more email updates. Your address has been deleted."),
            "back_url": _home_url(),
            "back_label": _("Back to the site"),
        },
    )
