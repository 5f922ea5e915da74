"""Email update subscriptions: double opt-in and one-click unsubscribe."""

import logging
import smtplib

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Count
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from ..models import (
    Delivery,
    Subscriber,
)
from .common import (
    PURPOSE_SUBSCRIBER_CONFIRM,
    PURPOSE_UNSUBSCRIBE,
    AlreadyGone,
    MailNotSent,
    email_digest,
    email_normalise,
    mail_send,
    subscriber_unsubscribe_url,
    token_make,
    token_read,
    url_absolute,
)

logger = logging.getLogger(__name__)


def subscriber_confirmed(*, email: str, language: str, at) -> None:
    subscriber, created = Subscriber.objects.get_or_create(
        email=email, defaults={"language": language, "confirmed_at": at}
    )
    if not created and subscriber.confirmed_at is None:
        Subscriber.objects.filter(pk=subscriber.pk).update(confirmed_at=at, language=language)


def subscriber_request(*, email: str, language: str, base_url: str) -> None:
    """Ask for email updates: sends a confirmation link unless already subscribed.

    The answer is the same either way, so the form does not reveal who subscribed.
    """
    email = email_normalise(email=email)
    created = False
    try:
        with transaction.atomic():
            subscriber = Subscriber.objects.create(email=email, language=language)
            created = True
    except IntegrityError:
        subscriber = Subscriber.objects.filter(email=email).first()
        if subscriber is None:
            raise MailNotSent(_("Please send the form again.")) from None
    if subscriber.confirmed_at:
        return
    if not created and subscriber.language != language:
        Subscriber.objects.filter(pk=subscriber.pk).update(language=language)
        subscriber.language = language
    try:
        with translation.override(language):
            token = token_make(purpose=PURPOSE_SUBSCRIBER_CONFIRM, pk=subscriber.pk, email=email)
            mail_send(
                to=email,
                subject=_("Please confirm your subscription to our updates"),
                template="actions/email/confirm_subscription",
                context={
                    "confirm_url": url_absolute(
                        base_url, reverse("actions:subscriber_confirm", args=[token])
                    ),
                    "unsubscribe_url": subscriber_unsubscribe_url(base_url, subscriber),
                    "days": settings.ACTIONS_CONFIRM_MAX_AGE // 86400,
                },
                headers={"Auto-Submitted": "auto-generated"},
            )
    except (smtplib.SMTPException, OSError) as exc:
        logger.warning("confirmation email for subscriber %s not sent: %s", subscriber.pk, exc)
        if created:
            subscriber.delete()
        raise MailNotSent(
            _("We could not send the confirmation email just now. Please try again later.")
        ) from exc


def _subscriber_from_token(*, purpose: str, token: str) -> Subscriber:
    pk, digest = token_read(purpose=purpose, token=token)
    subscriber = Subscriber.objects.filter(pk=pk).first()
    if subscriber is None or email_digest(subscriber.email) != digest:
        raise AlreadyGone(_("This subscription has ended or no longer exists."))
    return subscriber


def subscriber_check(*, purpose: str, token: str) -> Subscriber:
    """The subscriber a confirm or unsubscribe link names, without changing anything."""
    return _subscriber_from_token(purpose=purpose, token=token)


def subscriber_confirm(*, token: str) -> bool:
    """Confirm a subscription; returns True when it had been confirmed before."""
    subscriber = _subscriber_from_token(purpose=PURPOSE_SUBSCRIBER_CONFIRM, token=token)
    changed = Subscriber.objects.filter(pk=subscriber.pk, confirmed_at__isnull=True).update(
        confirmed_at=timezone.now()
    )
    return not changed


def subscriber_unsubscribe(*, token: str) -> None:
    """End a subscription at once, including mail of a send already under way."""
    subscriber = _subscriber_from_token(purpose=PURPOSE_UNSUBSCRIBE, token=token)
    with transaction.atomic():
        Delivery.objects.filter(subscriber=subscriber, sent_at__isnull=True).delete()
        deleted, _rows = Subscriber.objects.filter(pk=subscriber.pk).delete()
    if not deleted:
        raise AlreadyGone(_("This subscription has ended or no longer exists."))


def subscribers_by_language() -> dict[str, int]:
    rows = (
        Subscriber.objects.filter(confirmed_at__isnull=False)
        .values("language")
        .annotate(n=Count("pk"))
    )
    return {row["language"]: row["n"] for row in rows}
