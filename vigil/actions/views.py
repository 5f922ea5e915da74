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

from . import services
from .forms import SignatureForm, SubscribeForm
from .models import PetitionPage


def _client_ip(request) -> str:
    return request.META.get("REMOTE_ADDR", "")


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
        503: _("Please try again later"),
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


def petition_sign(request, *, petition: PetitionPage):
    page_url = petition.get_url(request)
    if request.method != "POST":
        return HttpResponseRedirect(page_url)
    if _body_invalid_utf8(request):
        return _petition_render(
            request,
            petition=petition,
            form=SignatureForm(),
            status=400,
            notice=_("The form contained characters that could not be read. Please try again."),
        )
    state = petition.state()
    if state != "open":
        message = (
            _("This petition is closed: signatures are no longer collected.")
            if state == "closed"
            else _("This petition is not open for signing yet.")
        )
        return _petition_render(request, petition=petition, form=None, status=400, notice=message)
    form = SignatureForm(request.POST)
    limit, period = settings.ACTIONS_RATE_LIMIT
    if services.rate_limit_exceeded(
        scope="sign", key=_client_ip(request), limit=limit, period=period
    ):
        form.refresh_stamp()
        return _petition_render(
            request,
            petition=petition,
            form=form,
            status=429,
            notice=_("Too many signatures have come from your connection. Please try later."),
        )
    if form.looks_automated():
        form.refresh_stamp()
        return _petition_render(
            request,
            petition=petition,
            form=form,
            status=400,
            notice=_(
                "Your signature could not be accepted. Please wait a few seconds, check "
                "the form and send it again."
            ),
        )
    if not form.is_valid():
        form.refresh_stamp()
        return _petition_render(
            request,
            petition=petition,
            form=form,
            status=400,
            notice=_("Please correct the errors below."),
        )
    data = form.cleaned_data
    email = services.email_normalise(email=data["email"])
    if services.rate_limit_exceeded(
        scope="sign-email", key=email, limit=settings.ACTIONS_EMAIL_LIMIT, period=3600
    ):
        # Stops the form being used to flood one inbox with confirmation requests.
        return _petition_render(
            request,
            petition=petition,
            form=None,
            status=429,
            notice=_("We have already sent several emails to this address. Please check it."),
        )
    try:
        services.petition_sign(
            petition=petition,
            name=data["name"],
            email=email,
            country=data["country"],
            comment=data["comment"],
            consent_updates=data["consent_updates"],
            show_publicly=data["show_publicly"],
            language=get_language() or settings.LANGUAGE_CODE,
            base_url=_base_url(request),
        )
    except services.ActionError as error:
        form.refresh_stamp()
        return _petition_render(
            request, petition=petition, form=form, status=error.status, notice=error.message
        )
    return HttpResponseRedirect(page_url + "sign/sent/", status=303)


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
    )


# --- Links from emails -------------------------------------------------------------------


def signature_confirm(request, token: str):
    try:
        signature = services.signature_check(
            purpose=services.PURPOSE_SIGNATURE_CONFIRM, token=token
        )
        if request.method != "POST":
            if signature.confirmed_at:
                return message_page(
                    request,
                    title=_("Already confirmed"),
                    message=_("Your signature was already confirmed. Thank you."),
                    back_url=signature.petition.get_url(request),
                    back_label=_("Back to the petition"),
                )
            return message_page(
                request,
                title=_("Confirm your signature"),
                message=_("Press the button to confirm your signature on “%(title)s”.")
                % {"title": signature.petition.title},
                form_action=request.path,
                button=_("Confirm my signature"),
            )
        signature, already = services.signature_confirm(token=token)
    except services.ActionError as error:
        return _error_page(request, error, back_url="/")
    petition = signature.petition
    if already:
        message = _("Your signature was already confirmed. Thank you.")
    else:
        message = _("Your signature is confirmed and now counts. Thank you.")
    return message_page(
        request,
        title=_("Thank you"),
        message=message,
        back_url=petition.get_url(request),
        back_label=_("Back to the petition"),
        extra={"thank_you": petition.thank_you},
    )


def signature_withdraw(request, token: str):
    try:
        signature = services.signature_check(
            purpose=services.PURPOSE_SIGNATURE_WITHDRAW, token=token
        )
        if request.method != "POST":
            return message_page(
                request,
                title=_("Withdraw your signature"),
                message=_(
                    "Press the button to withdraw your signature from “%(title)s”. It is "
                    "deleted at once and no longer counts."
                )
                % {"title": signature.petition.title},
                form_action=request.path,
                button=_("Withdraw my signature"),
            )
        petition = services.signature_withdraw(token=token)
    except services.ActionError as error:
        return _error_page(request, error, back_url="/")
    return message_page(
        request,
        title=_("Signature withdrawn"),
        message=_("Your signature has been deleted. It no longer counts."),
        back_url=petition.get_url(request),
        back_label=_("Back to the petition"),
    )


def subscribe(request):
    if request.method == "POST":
        if _body_invalid_utf8(request):
            form = SubscribeForm(initial={"language": get_language()})
            return _subscribe_page(
                request,
                form,
                status=400,
                notice=_("The form contained characters that could not be read."),
            )
        form = SubscribeForm(request.POST)
        limit, period = settings.ACTIONS_RATE_LIMIT
        if services.rate_limit_exceeded(
            scope="subscribe", key=_client_ip(request), limit=limit, period=period
        ):
            form.refresh_stamp()
            return _subscribe_page(
                request,
                form,
                status=429,
                notice=_("Too many requests have come from your connection. Please try later."),
            )
        if form.looks_automated():
            form.refresh_stamp()
            return _subscribe_page(
                request,
                form,
                status=400,
                notice=_(
                    "Your request could not be accepted. Please wait a few seconds and "
                    "send it again."
                ),
            )
        if not form.is_valid():
            form.refresh_stamp()
            return _subscribe_page(
                request, form, status=400, notice=_("Please correct the errors below.")
            )
        email = services.email_normalise(email=form.cleaned_data["email"])
        if services.rate_limit_exceeded(
            scope="subscribe-email", key=email, limit=settings.ACTIONS_EMAIL_LIMIT, period=3600
        ):
            return _subscribe_page(
                request,
                SubscribeForm(initial={"language": get_language()}),
                status=429,
                notice=_("We have already sent several emails to this address. Please check it."),
            )
        try:
            services.subscriber_request(
                email=email, language=form.cleaned_data["language"], base_url=_base_url(request)
            )
        except services.ActionError as error:
            form.refresh_stamp()
            return _subscribe_page(request, form, status=error.status, notice=error.message)
        return HttpResponseRedirect(reverse("actions:subscribe_sent"), status=303)
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
    try:
        subscriber = services.subscriber_check(
            purpose=services.PURPOSE_SUBSCRIBER_CONFIRM, token=token
        )
        if request.method != "POST":
            if subscriber.confirmed_at:
                return message_page(
                    request,
                    title=_("Already subscribed"),
                    message=_("Your subscription was already confirmed."),
                )
            return message_page(
                request,
                title=_("Confirm your subscription"),
                message=_("Press the button to start receiving the campaign's email updates."),
                form_action=request.path,
                button=_("Confirm my subscription"),
            )
        already = services.subscriber_confirm(token=token)
    except services.ActionError as error:
        return _error_page(request, error, back_url="/")
    return message_page(
        request,
        title=_("Subscribed"),
        message=_("Your subscription was already confirmed.")
        if already
        else _("Your subscription is confirmed. Every email has a link to unsubscribe."),
        back_url="/",
        back_label=_("Back to the site"),
    )


@csrf_exempt  # RFC 8058: mail clients POST here without a form of ours; the token is the key.
def unsubscribe(request, token: str):
    try:
        services.subscriber_check(purpose=services.PURPOSE_UNSUBSCRIBE, token=token)
        if request.method != "POST":
            return message_page(
                request,
                title=_("Unsubscribe"),
                message=_("Press the button to stop receiving the campaign's email updates."),
                form_action=request.path,
                button=_("Unsubscribe"),
            )
        services.subscriber_unsubscribe(token=token)
    except services.ActionError as error:
        return _error_page(request, error, back_url="/")
    return message_page(
        request,
        title=_("Unsubscribed"),
        message=_("You will receive no more email updates. Your address has been deleted."),
        back_url="/",
        back_label=_("Back to the site"),
    )
