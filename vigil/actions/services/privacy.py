"""Retention and erasure: unconfirmed data expires, and one person can be erased on request."""

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django_tasks import task
from wagtail.log_actions import log

from ..models import (
    ActionSettings,
    Delivery,
    OutgoingMail,
    PetitionPage,
    Signature,
    Subscriber,
)
from .common import (
    email_normalise,
)


def unconfirmed_purge(*, now: dt.datetime | None = None) -> dict[str, int]:
    """Delete signatures and subscriptions never confirmed within the retention period."""
    days = ActionSettings.load().unconfirmed_retention_days
    cutoff = (now or timezone.now()) - dt.timedelta(days=days)
    signatures, _rows = Signature.objects.filter(
        confirmed_at__isnull=True, created_at__lt=cutoff
    ).delete()
    subscribers, _rows = Subscriber.objects.filter(
        confirmed_at__isnull=True, created_at__lt=cutoff
    ).delete()
    return {"signatures": signatures, "subscribers": subscribers}


def person_erase(*, email: str, user=None) -> dict[str, int]:
    """Erase one person, by address, from every petition, subscription and mailing list.

    The audit log records that an erasure happened and how much it removed, never the
    address itself.
    """
    email = email_normalise(email=email)
    with transaction.atomic():
        petitions = list(
            PetitionPage.objects.filter(signatures__email=email).distinct().only("pk", "title")
        )
        signatures, _rows = Signature.objects.filter(email=email).delete()
        deliveries, _rows = Delivery.objects.filter(email=email).delete()
        # Mail still queued for them (their address is emptied from sent rows at once).
        outgoing, _rows = OutgoingMail.objects.filter(recipient=email).delete()
        subscribers, _rows = Subscriber.objects.filter(email=email).delete()
    counts = {
        "signatures": signatures,
        "subscribers": subscribers,
        "deliveries": deliveries + outgoing,
    }
    for petition in petitions:
        log(instance=petition, action="vigil.erase_person", user=user, data=counts)
    log(instance=ActionSettings.load(), action="vigil.erase_person", user=user, data=counts)
    return counts


@task()
def unconfirmed_purge_task() -> None:
    """Delete signatures and subscriptions never confirmed (the schedule runs it daily)."""
    unconfirmed_purge()
