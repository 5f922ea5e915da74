"""The outbox: mail queued by requests in their own transaction, sent in the background.

A public form must answer in the same time whatever the address's state (issue 18,
item 1): the request renders its mail and adds a row here, whether the address is new,
pending or long confirmed, and never talks to the mail server. Adding the row enqueues
the `outbox_deliver` task in the same transaction (one waiting task at most), and a
worker (`manage.py worker`) sends what is due, also every 10 seconds by the schedule
for mail held back by the ceilings or a mail server that was down:

- a site-wide ceiling and a per-recipient-domain ceiling on mails per sliding minute
  (ACTIONS_MAIL_PER_MINUTE, ACTIONS_MAIL_PER_DOMAIN_PER_MINUTE), counted from the rows
  sent in the last 60 s: mail beyond them stays queued and goes out in a later round;
- failures are retried with exponential back-off up to OUTBOX_MAX_ATTEMPTS, and logged
  with the row's number, purpose and SMTP code, never the address;
- a sent (or given-up) row is emptied of its address and content at once, and the stub
  (domain, times) is deleted after ACTIONS_OUTBOX_RETENTION seconds.
"""

import contextlib
import datetime as dt
import logging
import smtplib
from collections import Counter
from collections.abc import Callable, Iterable

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone
from django_tasks import task

from vigil.core.leases import lease_hold
from vigil.core.tasks import task_enqueue_once

from ..models import ConsumedStamp, OutgoingKind, OutgoingMail
from .common import mail_render

logger = logging.getLogger(__name__)

OUTBOX_MAX_ATTEMPTS = 6
# 1, 4, 16, 64 and 256 minutes between attempts: about 5.6 hours in all, well within
# the week a confirmation link works, and through most mail server outages.
OUTBOX_FIRST_RETRY_SECONDS = 60
OUTBOX_BATCH = 100
# Who writes a queued password reset's messages at send time: vigil.accounts, which sits
# above this app and registers it in its AppConfig.ready() (ARCHITECTURE.md).
_password_reset_writers: list[Callable[..., Iterable[dict]]] = []
_WIPED = {"recipient": "", "subject": "", "body_text": "", "body_html": "", "headers": {}}


def _domain(address: str) -> str:
    return address.rsplit("@", 1)[-1].lower()


def outbox_add(
    *,
    to: str,
    subject: str,
    purpose: str,
    template: str | None = None,
    context: dict | None = None,
    text: str = "",
    html: str = "",
    headers: dict | None = None,
) -> OutgoingMail:
    """Queue one message, rendered now (in the active language), for the background sender.

    Call it inside the transaction that writes the request's rows: the mail exists if
    and only if they do.
    """
    if template is not None:
        text, html = mail_render(template=template, context=context or {})
    mail = OutgoingMail.objects.create(
        purpose=purpose,
        recipient=to,
        recipient_domain=_domain(to),
        subject=subject,
        body_text=text,
        body_html=html,
        headers=headers or {},
    )
    task_enqueue_once(outbox_deliver)
    return mail


def outbox_password_reset_add(*, email: str) -> OutgoingMail:
    """Queue a password reset for an address, without looking up whether it has an account."""
    mail = OutgoingMail.objects.create(
        kind=OutgoingKind.PASSWORD_RESET,
        purpose="password-reset",
        recipient=email,
        recipient_domain=_domain(email),
    )
    task_enqueue_once(outbox_deliver)
    return mail


def outbox_password_reset_writer_register(*, messages: Callable[..., Iterable[dict]]) -> None:
    """Have `messages(email=...)` write a queued reset's mails (none for an unknown address)."""
    _password_reset_writers[:] = [messages]


def _password_resets_resolve() -> None:
    """Turn each queued password reset into its messages (none for an unknown address)."""
    if not _password_reset_writers:
        return  # no app writes resets: they stay queued
    password_reset_messages = _password_reset_writers[0]
    for pk, email in OutgoingMail.objects.filter(
        kind=OutgoingKind.PASSWORD_RESET, sent_at__isnull=True
    ).values_list("pk", "recipient"):
        with transaction.atomic():
            for message in password_reset_messages(email=email):
                outbox_add(purpose="password-reset", **message)
            OutgoingMail.objects.filter(pk=pk).delete()


def _error_summary(exc: Exception) -> str:
    """The kind of failure and its SMTP code: SMTP errors can quote the address."""
    code = getattr(exc, "smtp_code", None)
    if code is None and isinstance(exc, smtplib.SMTPRecipientsRefused):
        code = next(iter(exc.recipients.values()), (None,))[0]
    return f"{type(exc).__name__}{f' {code}' if code else ''}"


def _sent_in_last_minute(now: dt.datetime) -> tuple[int, Counter]:
    recent = OutgoingMail.objects.filter(sent_at__gte=now - dt.timedelta(seconds=60))
    per_domain = Counter(
        {
            row["recipient_domain"]: row["n"]
            for row in recent.values("recipient_domain").annotate(n=Count("pk"))
        }
    )
    return sum(per_domain.values()), per_domain


def _message(row: OutgoingMail, connection) -> EmailMultiAlternatives:
    domain = _domain(settings.DEFAULT_FROM_EMAIL.rsplit(">", 1)[0]) or "localhost"
    message = EmailMultiAlternatives(
        subject=row.subject,
        body=row.body_text,
        to=[row.recipient],
        # Fixed per row: a message sent again after a crash is recognisably the same.
        headers={**row.headers, "Message-ID": f"<vigil-outbox-{row.pk}@{domain}>"},
        connection=connection,
    )
    if row.body_html:
        message.attach_alternative(row.body_html, "text/html")
    return message


def _failure_record(row: OutgoingMail, exc: Exception, now: dt.datetime) -> None:
    attempts = row.attempts + 1
    error = _error_summary(exc)
    if attempts >= OUTBOX_MAX_ATTEMPTS:
        OutgoingMail.objects.filter(pk=row.pk).update(
            attempts=attempts, failed_at=now, last_error=error, **_WIPED
        )
        logger.warning(
            "outbox mail %s (%s) given up after %s attempts: %s",
            row.pk,
            row.purpose,
            attempts,
            error,
        )
        return
    delay = OUTBOX_FIRST_RETRY_SECONDS * 4 ** (attempts - 1)
    OutgoingMail.objects.filter(pk=row.pk).update(
        attempts=attempts, next_attempt_at=now + dt.timedelta(seconds=delay), last_error=error
    )
    logger.warning(
        "outbox mail %s (%s) not sent, attempt %s, next in %s s: %s",
        row.pk,
        row.purpose,
        attempts,
        delay,
        error,
    )


def _due(now: dt.datetime):
    return OutgoingMail.objects.filter(
        kind=OutgoingKind.MESSAGE,
        sent_at__isnull=True,
        failed_at__isnull=True,
        next_attempt_at__lte=now,
    ).order_by("next_attempt_at", "pk")


def _batch_send(batch: list[OutgoingMail], *, total: int, per_domain: Counter) -> tuple[int, bool]:
    """Send what the ceilings allow of `batch`; (sent, whether to go on with another batch)."""
    overall = settings.ACTIONS_MAIL_PER_MINUTE
    domain_limit = settings.ACTIONS_MAIL_PER_DOMAIN_PER_MINUTE
    sent = 0
    connection = get_connection()
    try:
        for row in batch:
            if total >= overall:
                return sent, False
            if per_domain[row.recipient_domain] >= domain_limit:
                continue  # stays queued for a later minute; other domains go on
            try:
                _message(row, connection).send()
            except (smtplib.SMTPRecipientsRefused, smtplib.SMTPDataError) as exc:
                _failure_record(row, exc, timezone.now())
                continue
            except (smtplib.SMTPException, OSError) as exc:
                # The server is down or dropped us: try again at a later round.
                _failure_record(row, exc, timezone.now())
                return sent, False
            OutgoingMail.objects.filter(pk=row.pk).update(
                sent_at=timezone.now(), attempts=row.attempts + 1, last_error="", **_WIPED
            )
            sent += 1
            total += 1
            per_domain[row.recipient_domain] += 1
    finally:
        with contextlib.suppress(smtplib.SMTPException, OSError):
            connection.close()
    return sent, len(batch) == OUTBOX_BATCH and sent > 0


def outbox_send(*, now: dt.datetime | None = None) -> int:
    """Send the queued mail that is due, within the ceilings; returns how many were sent.

    One sender at a time on all nodes (a lease in the database, freed when its holder
    dies): a second worker finds it taken and leaves the work to the first.
    """
    with lease_hold(name="outbox") as acquired:
        if not acquired:
            return 0
        _password_resets_resolve()
        sent = 0
        while True:
            moment = now or timezone.now()
            total, per_domain = _sent_in_last_minute(moment)
            if total >= settings.ACTIONS_MAIL_PER_MINUTE:
                return sent
            full = [
                domain
                for domain, n in per_domain.items()
                if n >= settings.ACTIONS_MAIL_PER_DOMAIN_PER_MINUTE
            ]
            # Mail to a domain at its ceiling waits without holding up other domains'.
            batch = list(_due(moment).exclude(recipient_domain__in=full)[:OUTBOX_BATCH])
            if not batch:
                return sent
            done, more = _batch_send(batch, total=total, per_domain=per_domain)
            sent += done
            if not more:
                return sent


def outbox_purge(*, now: dt.datetime | None = None) -> dict[str, int]:
    """Delete sent and given-up rows past their retention, and stamps past their age."""
    now = now or timezone.now()
    cutoff = now - dt.timedelta(seconds=settings.ACTIONS_OUTBOX_RETENTION)
    mails, _rows = OutgoingMail.objects.filter(
        Q(sent_at__lt=cutoff) | Q(failed_at__lt=cutoff)
    ).delete()
    stamp_cutoff = now - dt.timedelta(seconds=settings.ACTIONS_FORM_MAX_AGE)
    stamps, _rows = ConsumedStamp.objects.filter(created_at__lt=stamp_cutoff).delete()
    return {"mails": mails, "stamps": stamps}


@task()
def outbox_deliver() -> int:
    """Send the forms' queued mail (confirmations, password resets) within the ceilings."""
    return outbox_send()


@task()
def outbox_purge_task() -> dict[str, int]:
    return outbox_purge(now=timezone.now())
