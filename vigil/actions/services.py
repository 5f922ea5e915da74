"""Petitions, signatures, subscriptions and mailings: everything that touches signers' data.

Personal data enters and leaves only through this module, so that what is stored, what
is sent and what is erased can be read in one place.
"""

import contextlib
import datetime as dt
import hashlib
import html
import logging
import re
import smtplib
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from django.conf import settings
from django.core import signing
from django.core.cache import cache
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import IntegrityError, transaction
from django.db.models import Count, Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.crypto import salted_hmac
from django.utils.html import strip_tags
from django.utils.translation import gettext as _
from wagtail.log_actions import log

from vigil.cases import services as case_services

from .models import (
    ActionSettings,
    Delivery,
    ExternalPetition,
    Mailing,
    MailingStatus,
    PetitionPage,
    Signature,
    Subscriber,
)

logger = logging.getLogger(__name__)

PURPOSE_SIGNATURE_CONFIRM = "signature-confirm"
PURPOSE_SIGNATURE_WITHDRAW = "signature-withdraw"
PURPOSE_SUBSCRIBER_CONFIRM = "subscriber-confirm"
PURPOSE_UNSUBSCRIBE = "unsubscribe"
# Links that confirm expire; links that withdraw or unsubscribe must work for ever.
EXPIRING_PURPOSES = {PURPOSE_SIGNATURE_CONFIRM, PURPOSE_SUBSCRIBER_CONFIRM}
MAX_DELIVERY_ATTEMPTS = 3
MAILER_LOCK = "vigil.actions.mailer-lock"
# A sender killed mid-run holds the lock this long at most.
MAILER_LOCK_SECONDS = 120


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


class MailNotSent(ActionError):
    status = 503


class MailingRefused(ActionError):
    pass


# --- Small helpers -----------------------------------------------------------------------


def email_normalise(*, email: str) -> str:
    """Trim and lower-case an address so that one person cannot sign twice by case."""
    return email.strip().lower()


def _email_digest(email: str) -> str:
    # Keyed, so that a token seen by someone else cannot be used to test guessed addresses.
    return salted_hmac("vigil.actions.email", email).hexdigest()[:16]


def token_make(*, purpose: str, pk: int, email: str) -> str:
    """A signed token naming one row; it stops working if the row's address changes."""
    return signing.dumps([pk, _email_digest(email)], salt=f"vigil.actions.{purpose}")


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

    The cache is shared by every server process (file cache by default), so the limit
    holds across processes. Keys are hashed: IP addresses are not kept in the cache.
    """
    window = int(timezone.now().timestamp()) // period
    cache_key = f"rl:{scope}:{hashlib.sha256(key.encode()).hexdigest()[:24]}:{window}"
    cache.add(cache_key, 0, period)
    try:
        hits = cache.incr(cache_key)
    except ValueError:  # expired between add and incr
        cache.set(cache_key, 1, period)
        hits = 1
    return hits > limit


def form_stamp_make() -> str:
    """A signed time stamp put in every public form, to spot forms sent back too fast."""
    return signing.TimestampSigner(salt="vigil.actions.form-stamp").sign("form")


def form_stamp_valid(*, stamp: str) -> bool:
    """True when the form was rendered by us, at least ACTIONS_FORM_MIN_SECONDS ago."""
    signer = signing.TimestampSigner(salt="vigil.actions.form-stamp")
    try:
        signer.unsign(stamp, max_age=dt.timedelta(days=1))
        signed_at = signing.b62_decode(stamp.rsplit(":", 2)[-2])
    except (signing.BadSignature, ValueError, IndexError):
        return False
    return timezone.now().timestamp() - signed_at >= settings.ACTIONS_FORM_MIN_SECONDS


def _absolute(base_url: str, path: str) -> str:
    return base_url.rstrip("/") + path


def _send(*, to: str, subject: str, template: str, context: dict, headers=None, connection=None):
    """Send one message as text and HTML, rendered from `template`.txt and .html."""
    text = render_to_string(f"{template}.txt", context)
    message = EmailMultiAlternatives(
        subject=subject,
        body=text,
        to=[to],
        headers=headers or {},
        connection=connection,
    )
    message.attach_alternative(render_to_string(f"{template}.html", context), "text/html")
    message.send()


def _withdraw_url(base_url: str, signature: Signature) -> str:
    token = token_make(purpose=PURPOSE_SIGNATURE_WITHDRAW, pk=signature.pk, email=signature.email)
    return _absolute(base_url, reverse("actions:signature_withdraw", args=[token]))


def _unsubscribe_headers(url: str) -> dict:
    # RFC 8058: mail clients offer one-click unsubscribe and POST to this address.
    return {
        "List-Unsubscribe": f"<{url}>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
    }


# --- Petitions ---------------------------------------------------------------------------


def external_petitions_for(*, case_id: int | None) -> list[ExternalPetition]:
    """External petitions of a case (or all, without a case), each with `.latest` count."""
    petitions = ExternalPetition.objects.prefetch_related("counts").order_by("title")
    if case_id:
        petitions = petitions.filter(Q(case_id=case_id) | Q(case__isnull=True))
    result = []
    for petition in petitions:
        counts = sorted(petition.counts.all(), key=lambda row: (row.date, row.pk))
        petition.latest = counts[-1] if counts else None
        petition.history = list(reversed(counts))
        result.append(petition)
    return result


def petition_overview(*, petition: PetitionPage) -> dict:
    """What the petition page shows: the count, progress, state, recent signers, totals."""
    confirmed = Signature.objects.filter(petition=petition, confirmed_at__isnull=False)
    count = confirmed.count()
    recent = []
    if petition.show_signers:
        recent = list(
            confirmed.filter(show_publicly=True)
            .only("name", "country", "confirmed_at")
            .order_by("-confirmed_at", "-pk")[: settings.ACTIONS_RECENT_SIGNERS]
        )
    external = external_petitions_for(case_id=petition.case_id)
    external_total = sum(p.latest.count for p in external if p.latest)
    return {
        "signature_count": count,
        "progress_max": max(petition.goal, count),
        "state": petition.state(),
        "recent_signers": [
            {"first_name": signature.first_name, "country": signature.country.name}
            for signature in recent
        ],
        "external_petitions": external,
        "total_signatures": count + external_total,
    }


def petition_sign(
    *,
    petition: PetitionPage,
    name: str,
    email: str,
    country: str,
    comment: str,
    consent_updates: bool,
    show_publicly: bool,
    language: str,
    base_url: str,
) -> None:
    """Record a signature and email its confirmation link.

    Answers the same whether or not the address has signed before, so the form cannot
    be used to find out who signed: a second request only re-sends an email to the
    address itself. If the email cannot be sent, nothing new is kept.
    """
    if petition.state() != "open":
        raise ActionError(_("This petition is not open for signing."))
    email = email_normalise(email=email)
    created = False
    try:
        with transaction.atomic():
            signature = Signature.objects.create(
                petition=petition,
                name=name.strip(),
                email=email,
                country=country,
                comment=comment.strip(),
                consent_updates=consent_updates,
                show_publicly=show_publicly,
                language=language,
            )
            created = True
    except IntegrityError:
        signature = Signature.objects.filter(petition=petition, email=email).first()
        if signature is None:  # withdrawn in between: treat as a fresh attempt later
            raise MailNotSent(_("Please send the form again.")) from None
    try:
        _signature_email(signature=signature, petition=petition, base_url=base_url)
    except (smtplib.SMTPException, OSError) as exc:
        logger.warning("confirmation email for signature %s not sent: %s", signature.pk, exc)
        if created:
            signature.delete()
        raise MailNotSent(
            _("We could not send the confirmation email just now. Please try again later.")
        ) from exc


def _signature_email(*, signature: Signature, petition: PetitionPage, base_url: str) -> None:
    with translation.override(signature.language):
        context = {
            "petition": petition,
            "petition_url": _absolute(base_url, petition.url or "/"),
            "withdraw_url": _withdraw_url(base_url, signature),
            "first_name": signature.first_name,
        }
        if signature.confirmed_at:
            subject = _("You have already signed: %(title)s") % {"title": petition.title}
            template = "actions/email/already_signed"
        else:
            token = token_make(
                purpose=PURPOSE_SIGNATURE_CONFIRM, pk=signature.pk, email=signature.email
            )
            context["confirm_url"] = _absolute(
                base_url, reverse("actions:signature_confirm", args=[token])
            )
            context["days"] = settings.ACTIONS_CONFIRM_MAX_AGE // 86400
            subject = _("Please confirm your signature: %(title)s") % {"title": petition.title}
            template = "actions/email/confirm_signature"
        _send(
            to=signature.email,
            subject=subject,
            template=template,
            context=context,
            headers={"Auto-Submitted": "auto-generated"},
        )


def _signature_from_token(*, purpose: str, token: str) -> Signature:
    pk, digest = token_read(purpose=purpose, token=token)
    signature = Signature.objects.select_related("petition").filter(pk=pk).first()
    if signature is None or _email_digest(signature.email) != digest:
        raise AlreadyGone(_("This signature has been withdrawn or no longer exists."))
    return signature


def signature_check(*, purpose: str, token: str) -> Signature:
    """The signature a confirm or withdraw link names, without changing anything."""
    return _signature_from_token(purpose=purpose, token=token)


def signature_confirm(*, token: str) -> tuple[Signature, bool]:
    """Count the signature; returns it and whether it had been confirmed before."""
    signature = _signature_from_token(purpose=PURPOSE_SIGNATURE_CONFIRM, token=token)
    now = timezone.now()
    with transaction.atomic():
        changed = Signature.objects.filter(pk=signature.pk, confirmed_at__isnull=True).update(
            confirmed_at=now
        )
        if changed and signature.consent_updates:
            # The signer has just proved the address is theirs: no second opt-in needed.
            _subscriber_confirmed(email=signature.email, language=signature.language, at=now)
    signature.refresh_from_db(fields=["confirmed_at"])
    return signature, not changed


def signature_withdraw(*, token: str) -> PetitionPage:
    """Delete the signature the link names; it stops counting at once."""
    signature = _signature_from_token(purpose=PURPOSE_SIGNATURE_WITHDRAW, token=token)
    petition = signature.petition
    deleted, _rows = Signature.objects.filter(pk=signature.pk).delete()
    if not deleted:
        raise AlreadyGone(_("This signature has been withdrawn or no longer exists."))
    return petition


def signatures_export_rows(*, petition: PetitionPage, user) -> Iterator[list[str]]:
    """The petition's signatures as CSV rows (header first); the export is audit-logged."""
    log(
        instance=petition,
        action="vigil.export_signatures",
        user=user,
        data={"confirmed": petition.signatures.filter(confirmed_at__isnull=False).count()},
    )
    yield [
        _("name"),
        _("email"),
        _("country"),
        _("comment"),
        _("wants email updates"),
        _("may be shown"),
        _("language"),
        _("signed at"),
        _("confirmed at"),
    ]
    rows = petition.signatures.order_by("created_at", "pk").iterator(chunk_size=1000)
    for signature in rows:
        yield [
            _csv_safe(signature.name),
            signature.email,
            signature.country.code,
            _csv_safe(signature.comment),
            "yes" if signature.consent_updates else "no",
            "yes" if signature.show_publicly else "no",
            signature.language,
            signature.created_at.isoformat(),
            signature.confirmed_at.isoformat() if signature.confirmed_at else "",
        ]


def _csv_safe(value: str) -> str:
    # A cell starting with = + - @ is run as a formula by spreadsheets (CSV injection).
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


def petitions_summary() -> list[PetitionPage]:
    """Every petition with `.confirmed` and `.unconfirmed` counts, for editors."""
    return list(
        PetitionPage.objects.annotate(
            confirmed=Count("signatures", filter=Q(signatures__confirmed_at__isnull=False)),
            unconfirmed=Count("signatures", filter=Q(signatures__confirmed_at__isnull=True)),
        ).order_by("-first_published_at", "pk")
    )


# --- Subscriptions -----------------------------------------------------------------------


def _subscriber_confirmed(*, email: str, language: str, at) -> None:
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
            _send(
                to=email,
                subject=_("Please confirm your subscription to our updates"),
                template="actions/email/confirm_subscription",
                context={
                    "confirm_url": _absolute(
                        base_url, reverse("actions:subscriber_confirm", args=[token])
                    ),
                    "unsubscribe_url": _unsubscribe_url(base_url, subscriber),
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


def _unsubscribe_url(base_url: str, subscriber: Subscriber) -> str:
    token = token_make(purpose=PURPOSE_UNSUBSCRIBE, pk=subscriber.pk, email=subscriber.email)
    return _absolute(base_url, reverse("actions:unsubscribe", args=[token]))


def _subscriber_from_token(*, purpose: str, token: str) -> Subscriber:
    pk, digest = token_read(purpose=purpose, token=token)
    subscriber = Subscriber.objects.filter(pk=pk).first()
    if subscriber is None or _email_digest(subscriber.email) != digest:
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


# --- Mailings ----------------------------------------------------------------------------


def mailing_create(*, page, user) -> Mailing:
    """Queue a published update for the confirmed subscribers of its language."""
    if not page.live:
        raise MailingRefused(_("Only a published update can be sent."))
    language = page.locale.language_code
    try:
        with transaction.atomic():
            mailing = Mailing.objects.create(
                page=page, language=language, subject=page.title, created_by=user
            )
    except IntegrityError:
        raise MailingRefused(
            _("This update has already been sent to subscribers in this language.")
        ) from None
    log(instance=page, action="vigil.mailing_queue", user=user, data={"language": language})
    return mailing


@dataclass
class MailingProgress:
    mailing: Mailing
    total: int
    sent: int
    failed: int

    @property
    def pending(self) -> int:
        return self.total - self.sent - self.failed


def mailing_progress(*, mailing: Mailing) -> MailingProgress:
    counts = Delivery.objects.filter(mailing=mailing).aggregate(
        total=Count("pk"),
        sent=Count("pk", filter=Q(sent_at__isnull=False)),
        failed=Count("pk", filter=Q(sent_at__isnull=True, attempts__gte=MAX_DELIVERY_ATTEMPTS)),
    )
    return MailingProgress(mailing=mailing, **counts)


def mailings_with_progress(*, limit: int = 50) -> list[MailingProgress]:
    mailings = Mailing.objects.select_related("page", "created_by").annotate(
        n_total=Count("deliveries"),
        n_sent=Count("deliveries", filter=Q(deliveries__sent_at__isnull=False)),
        n_failed=Count(
            "deliveries",
            filter=Q(
                deliveries__sent_at__isnull=True,
                deliveries__attempts__gte=MAX_DELIVERY_ATTEMPTS,
            ),
        ),
    )
    return [
        MailingProgress(mailing=m, total=m.n_total, sent=m.n_sent, failed=m.n_failed)
        for m in mailings.order_by("-created_at", "-pk")[:limit]
    ]


def _mailing_start(mailing: Mailing) -> None:
    """Freeze the recipient list: one Delivery row per confirmed subscriber."""
    with transaction.atomic():
        locked = Mailing.objects.select_for_update().get(pk=mailing.pk)
        if locked.status != MailingStatus.QUEUED:
            mailing.status = locked.status
            return
        subscribers = Subscriber.objects.filter(
            language=mailing.language, confirmed_at__isnull=False
        ).only("pk", "email")
        Delivery.objects.bulk_create(
            [Delivery(mailing=mailing, subscriber=s, email=s.email) for s in subscribers],
            batch_size=500,
            ignore_conflicts=True,
        )
        Mailing.objects.filter(pk=mailing.pk).update(
            status=MailingStatus.SENDING, started_at=timezone.now()
        )
        mailing.status = MailingStatus.SENDING


_ROOT_RELATIVE = re.compile(r'(\s(?:href|src)=")(/[^/"][^"]*|/)"')


def _mail_content(mailing: Mailing) -> dict:
    """The update rendered once per mailing, with links made absolute for mail readers."""
    page = mailing.page.specific
    site = page.get_site()
    base_url = site.root_url if site else settings.WAGTAILADMIN_BASE_URL
    with translation.override(mailing.language):
        body_html = str(page.body.render_as_block(context={"request": None, "page": page}))
    if case_services.DAY_COUNT_TOKEN in body_html:
        home = site.root_page.specific if site else None
        body_html = case_services.body_insert_day_count(
            html=body_html, case=getattr(home, "featured_case", None)
        )
    body_html = _ROOT_RELATIVE.sub(lambda m: f'{m.group(1)}{base_url}{m.group(2)}"', body_html)
    body_text = html.unescape(strip_tags(re.sub(r"</(p|h\d|li)>", "\n\n", body_html)))
    body_text = re.sub(r"\n{3,}", "\n\n", re.sub(r"[ \t]+", " ", body_text)).strip()
    return {
        "page": page,
        "page_url": page.get_full_url(),
        "base_url": base_url,
        "body_html": body_html,
        "body_text": body_text,
    }


def mailing_send(
    *,
    mailing: Mailing,
    batch_size: int = 50,
    progress: Callable[[MailingProgress], None] | None = None,
) -> MailingProgress:
    """Send a mailing, resuming where a previous run stopped.

    Each message is marked sent as soon as the mail server accepts it, so a crash
    loses at most the mark of the one message in flight; its Message-ID is fixed per
    recipient, so a re-send of that one message is recognisable as the same mail.
    A connection failure stops the run (to be resumed later); a refused recipient is
    retried up to MAX_DELIVERY_ATTEMPTS times, then reported as failed.
    """
    if mailing.status == MailingStatus.QUEUED:
        _mailing_start(mailing)
    if mailing.status == MailingStatus.DONE:
        return mailing_progress(mailing=mailing)
    content = _mail_content(mailing)
    domain = content["base_url"].split("//", 1)[-1].split("/", 1)[0].split(":")[0] or "localhost"
    while True:
        batch = list(
            Delivery.objects.filter(
                mailing=mailing,
                sent_at__isnull=True,
                attempts__lt=MAX_DELIVERY_ATTEMPTS,
                subscriber__isnull=False,
            )
            .select_related("subscriber")
            .order_by("pk")[:batch_size]
        )
        if not batch:
            break
        connection = get_connection()
        try:
            connection.open()
            for delivery in batch:
                _delivery_send(delivery, mailing, content, domain, connection)
                Delivery.objects.filter(pk=delivery.pk).update(
                    sent_at=timezone.now(), attempts=delivery.attempts + 1, error=""
                )
        except smtplib.SMTPRecipientsRefused as exc:
            Delivery.objects.filter(pk=delivery.pk).update(
                attempts=delivery.attempts + 1, error=str(exc)[:500]
            )
        except (smtplib.SMTPException, OSError) as exc:
            Mailing.objects.filter(pk=mailing.pk).update(last_error=str(exc)[:500])
            raise
        finally:
            with contextlib.suppress(smtplib.SMTPException, OSError):
                connection.close()
        if progress:
            progress(mailing_progress(mailing=mailing))
    Mailing.objects.filter(pk=mailing.pk).update(
        status=MailingStatus.DONE, finished_at=timezone.now(), last_error=""
    )
    mailing.status = MailingStatus.DONE
    result = mailing_progress(mailing=mailing)
    if progress:
        progress(result)
    return result


def _delivery_send(delivery: Delivery, mailing: Mailing, content: dict, domain: str, connection):
    subscriber = delivery.subscriber
    unsubscribe_url = _unsubscribe_url(content["base_url"], subscriber)
    headers = _unsubscribe_headers(unsubscribe_url)
    headers["Message-ID"] = f"<vigil-mailing-{mailing.pk}-{delivery.pk}@{domain}>"
    headers["Precedence"] = "bulk"
    with translation.override(mailing.language):
        _send(
            to=delivery.email,
            subject=mailing.subject,
            template="actions/email/update",
            context={**content, "unsubscribe_url": unsubscribe_url},
            headers=headers,
            connection=connection,
        )


def mailings_process(*, progress: Callable[[MailingProgress], None] | None = None) -> int:
    """Send every queued or interrupted mailing, oldest first; returns how many finished.

    One sender at a time: a second server process, or the command run by hand while
    the server's worker is busy, finds the lock taken and leaves the work to it.
    """
    if not cache.add(MAILER_LOCK, "locked", MAILER_LOCK_SECONDS):
        return 0
    finished = 0
    try:
        pending = Mailing.objects.exclude(status=MailingStatus.DONE).select_related("page")
        for mailing in pending.order_by("created_at", "pk"):

            def keep_lock(state, _report=progress):
                cache.touch(MAILER_LOCK, MAILER_LOCK_SECONDS)
                if _report:
                    _report(state)

            mailing_send(mailing=mailing, progress=keep_lock)
            finished += 1
    finally:
        cache.delete(MAILER_LOCK)
    return finished


# --- Retention and erasure ---------------------------------------------------------------


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
        subscribers, _rows = Subscriber.objects.filter(email=email).delete()
    counts = {"signatures": signatures, "subscribers": subscribers, "deliveries": deliveries}
    for petition in petitions:
        log(instance=petition, action="vigil.erase_person", user=user, data=counts)
    log(instance=ActionSettings.load(), action="vigil.erase_person", user=user, data=counts)
    return counts


def unconfirmed_purge_due() -> bool:
    """Once a day is enough; the cache remembers the last run across processes."""
    return cache.add("vigil.actions.purge", timezone.now().isoformat(), 24 * 3600)
