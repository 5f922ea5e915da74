"""Email update subscriptions: double opt-in and one-click unsubscribe."""

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
    TryAgain,
    email_digest,
    email_normalise,
    subscriber_unsubscribe_url,
    token_make,
    token_read,
    url_absolute,
)
from .outbox import outbox_add


def subscriber_confirmed(*, email: str, language: str, at) -> None:
    subscriber, created = Subscriber.objects.get_or_create(
        email=email, defaults={"language": language, "confirmed_at": at}
    )
    if not created and subscriber.confirmed_at is None:
        Subscriber.objects.filter(pk=subscriber.pk).update(confirmed_at=at, language=language)


def subscriber_request(*, email: str, language: str, base_url: str) -> None:
    """Ask for email updates: queues a confirmation link, or, for an address already
    confirmed, a note saying so (with its unsubscribe link).

    Every case does the same work (one row written or found, one mail rendered and queued
    in the same transaction, no mail server), so neither the answer nor its timing tells
    who subscribed. The address's owner learns that someone asked.
    """
    email = email_normalise(email=email)
    with transaction.atomic():
        try:
            with transaction.atomic():
                subscriber = Subscriber.objects.create(email=email, language=language)
        except IntegrityError:
            subscriber = Subscriber.objects.filter(email=email).first()
            if subscriber is None:  # unsubscribed in between
                raise TryAgain(_("Please send the form again.")) from None
        if not subscriber.confirmed_at and subscriber.language != language:
            Subscriber.objects.filter(pk=subscriber.pk).update(language=language)
            subscriber.language = language
        with translation.override(subscriber.language):
            _subscriber_email(subscriber=subscriber, base_url=base_url)


def _subscriber_email(*, subscriber: Subscriber, base_url: str) -> None:
    context = {"unsubscribe_url": subscriber_unsubscribe_url(base_url, subscriber)}
    if subscriber.confirmed_at:
        subject = _("You are already subscribed to our updates")
        template = "actions/email/already_subscribed"
        purpose = "subscriber-already"
    else:
        token = token_make(
            purpose=PURPOSE_SUBSCRIBER_CONFIRM, pk=subscriber.pk, email=subscriber.email
        )
        context["confirm_url"] = url_absolute(
            base_url, reverse("actions:subscriber_confirm", args=[token])
        )
        context["days"] = settings.ACTIONS_CONFIRM_MAX_AGE // 86400
        subject = _("Please confirm your subscription to our updates")
        template = "actions/email/confirm_subscription"
        purpose = PURPOSE_SUBSCRIBER_CONFIRM
    outbox_add(
        to=subscriber.email,
        subject=subject,
        purpose=purpose,
        template=template,
        context=context,
        headers={"Auto-Submitted": "auto-generated"},
    )


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
