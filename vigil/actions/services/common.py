"""What every action shares: errors, signed tokens, rate limits, form stamps, sending mail."""

import secrets

from django.conf import settings
from django.core import signing
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _

from vigil.ratelimits.services import ratelimit_hit, ratelimit_key

from ..models import (
    ConsumedStamp,
    Signature,
    Subscriber,
)

PURPOSE_SIGNATURE_CONFIRM = "signature-confirm"
PURPOSE_SIGNATURE_WITHDRAW = "signature-withdraw"
PURPOSE_SUBSCRIBER_CONFIRM = "subscriber-confirm"
PURPOSE_UNSUBSCRIBE = "unsubscribe"
# Links that confirm expire; links that withdraw or unsubscribe must work for ever.
EXPIRING_PURPOSES = {PURPOSE_SIGNATURE_CONFIRM, PURPOSE_SUBSCRIBER_CONFIRM}
MAX_DELIVERY_ATTEMPTS = 3


class ActionError(Exception):
    """A request that cannot be carried out; `status` is the HTTP status to answer with."""

    status = 400

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class TokenInvalid(ActionError):
    pass


class TokenExpired(ActionError):
    pass


class AlreadyGone(ActionError):
    status = 410


class TryAgain(ActionError):
    """A race with another request (e.g. a withdrawal in between): sending again works."""

    status = 409


class MailingRefused(ActionError):
    pass


def email_normalise(*, email: str) -> str:
    """Trim and lower-case an address so that one person cannot sign twice by case."""
    return email.strip().lower()


def email_digest(email: str) -> str:
    # Keyed, so that a token seen by someone else cannot be used to test guessed addresses.
    return salted_hmac("vigil.actions.email", email).hexdigest()[:16]


def token_make(*, purpose: str, pk: int, email: str) -> str:
    """A signed token naming one row; it stops working if the row's address changes."""
    return signing.dumps([pk, email_digest(email)], salt=f"vigil.actions.{purpose}")


def token_read(*, purpose: str, token: str) -> tuple[int, str]:
    """The (pk, address digest) in a token; TokenInvalid or TokenExpired otherwise."""
    max_age = settings.ACTIONS_CONFIRM_MAX_AGE if purpose in EXPIRING_PURPOSES else None
    try:
        pk, digest = signing.loads(token, salt=f"vigil.actions.{purpose}", max_age=max_age)
    except signing.SignatureExpired:
        raise TokenExpired(
            _("This link has expired. Please fill in the form again to get a new one.")
        ) from None
    except (signing.BadSignature, ValueError, TypeError):
        raise TokenInvalid(
            _("This link is not valid. Please copy the whole link from the email.")
        ) from None
    if not isinstance(pk, int) or not isinstance(digest, str):
        raise TokenInvalid(_("This link is not valid. Please copy the whole link from the email."))
    return pk, digest


def rate_limit_exceeded(*, scope: str, key: str, limit: int, period: int) -> bool:
    """Count one hit for `key` in the current window; True once it is over `limit`.

    The count is kept in the database (vigil/ratelimits), atomically, so the limit holds
    across server processes. Keys are hashed: IP and email addresses are not stored.
    """
    return not ratelimit_hit(
        key=ratelimit_key(scope=scope, value=key), limit=limit, window_seconds=period
    )


_STAMP_SALT = "vigil.actions.form-stamp"


def form_stamp_make(*, form: str) -> str:
    """A signed stamp put in every public form: the form it belongs to, a random nonce and
    the time it was made, to spot forms sent back too fast, to another form, or twice."""
    return signing.TimestampSigner(salt=_STAMP_SALT).sign(f"{form}.{secrets.token_urlsafe(16)}")


def form_stamp_valid(*, stamp: str, form: str) -> bool:
    """True for a stamp we made for `form`, at least ACTIONS_FORM_MIN_SECONDS and at most
    ACTIONS_FORM_MAX_AGE ago, and never used before; it is used up by this call.

    The nonce is recorded (a ConsumedStamp row, purged once the stamp would have expired):
    one rendered form is good for one submission, so a bot cannot fetch one stamp and
    send it with thousands of signatures.
    """
    signer = signing.TimestampSigner(salt=_STAMP_SALT)
    try:
        value = signer.unsign(stamp, max_age=settings.ACTIONS_FORM_MAX_AGE)
        signed_at = signing.b62_decode(stamp.rsplit(":", 2)[-2])
    except (signing.BadSignature, ValueError, IndexError):
        return False
    stamp_form, _dot, nonce = value.rpartition(".")
    if stamp_form != form or not nonce:
        return False
    if timezone.now().timestamp() - signed_at < settings.ACTIONS_FORM_MIN_SECONDS:
        return False
    try:
        with transaction.atomic():
            ConsumedStamp.objects.create(nonce=nonce[:40])
    except IntegrityError:
        return False
    return True


def url_absolute(base_url: str, path: str) -> str:
    return base_url.rstrip("/") + path


def mail_render(*, template: str, context: dict) -> tuple[str, str]:
    """A message's text and HTML parts, from `template`.txt and .html, in the active language."""
    # render_to_string has no request, so no context processor names the language.
    context = {"language": translation.get_language() or settings.LANGUAGE_CODE, **context}
    return render_to_string(f"{template}.txt", context), render_to_string(
        f"{template}.html", context
    )


def mail_send(
    *, to: str, subject: str, template: str, context: dict, headers=None, connection=None
):
    """Send one message as text and HTML, rendered from `template`.txt and .html, in the
    active language (callers choose it with translation.override). Mailings only: a
    request queues its mail in the outbox instead (services/outbox.py)."""
    text, html = mail_render(template=template, context=context)
    message = EmailMultiAlternatives(
        subject=subject,
        body=text,
        to=[to],
        headers=headers or {},
        connection=connection,
    )
    message.attach_alternative(html, "text/html")
    message.send()


def signature_withdraw_url(base_url: str, signature: Signature) -> str:
    token = token_make(purpose=PURPOSE_SIGNATURE_WITHDRAW, pk=signature.pk, email=signature.email)
    return url_absolute(base_url, reverse("actions:signature_withdraw", args=[token]))


def list_unsubscribe_headers(url: str) -> dict:
    # RFC 8058: mail clients offer one-click unsubscribe and POST to this address.
    return {
        "List-Unsubscribe": f"<{url}>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
    }


def subscriber_unsubscribe_url(base_url: str, subscriber: Subscriber) -> str:
    token = token_make(purpose=PURPOSE_UNSUBSCRIBE, pk=subscriber.pk, email=subscriber.email)
    return url_absolute(base_url, reverse("actions:unsubscribe", args=[token]))
