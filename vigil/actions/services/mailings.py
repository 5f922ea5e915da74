"""Sending a published update to subscribers, in batches, resumable after a crash."""

import contextlib
import html
import re
import smtplib
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.core.mail import get_connection
from django.db import IntegrityError, transaction
from django.db.models import Count, Q
from django.utils import timezone, translation
from django.utils.html import strip_tags
from django.utils.translation import gettext as _
from django_tasks import task
from wagtail.log_actions import log
from wagtail.models import Page

from vigil.cases import services as case_services
from vigil.core.leases import lease_hold
from vigil.core.services import body_link_references, page_references
from vigil.core.tasks import task_enqueue_once
from vigil.news.models import UpdatePage

from ..models import (
    Delivery,
    Mailing,
    MailingStatus,
    Subscriber,
)
from .common import (
    MAX_DELIVERY_ATTEMPTS,
    MailingRefused,
    list_unsubscribe_headers,
    mail_send,
    subscriber_unsubscribe_url,
    url_absolute,
)
from .subscriptions import subscribers_by_language


def _versions(*, page) -> dict[str, UpdatePage]:
    """The live versions of an update by language: translations, and the copies (aliases)
    that show the original to readers of a language it was not translated into."""
    pages = UpdatePage.objects.live().filter(translation_key=page.translation_key)
    return {version.locale.language_code: version for version in pages.select_related("locale")}


def _version_for(*, page, language: str, versions: dict[str, UpdatePage]) -> UpdatePage:
    """What subscribers of `language` receive: their language's version, else the original."""
    return versions.get(language) or versions.get(settings.LANGUAGE_CODE) or page


def content_language(*, page, language: str) -> str:
    """The language of the text subscribers of `language` receive in `page`, when it is not
    theirs (an untranslated copy, or the original itself); "" for a translation."""
    if page.alias_of_id is not None:
        original = Page.objects.filter(pk=page.alias_of_id).values_list(
            "locale__language_code", flat=True
        )
        return original.first() or settings.LANGUAGE_CODE
    code = page.locale.language_code
    return "" if code == language else code


def _sent_languages(*, page) -> set[str]:
    return set(
        Mailing.objects.filter(page__translation_key=page.translation_key).values_list(
            "language", flat=True
        )
    )


def mailing_create(*, page, user, language: str | None = None) -> Mailing:
    """Queue a published update for the confirmed subscribers of one language (the page's
    own by default), in that language's version of it, or the original where none exists."""
    if not page.live:
        raise MailingRefused(_("Only a published update can be sent."))
    language = language or page.locale.language_code
    version = _version_for(page=page, language=language, versions=_versions(page=page))
    if language in _sent_languages(page=page):
        raise MailingRefused(
            _("This update has already been sent to subscribers in this language.")
        )
    try:
        with transaction.atomic():
            mailing = Mailing.objects.create(
                page=version, language=language, subject=version.title, created_by=user
            )
            # Sent by a worker at once; the mailing exists if and only if its task does.
            task_enqueue_once(mailings_send)
    except IntegrityError:
        raise MailingRefused(
            _("This update has already been sent to subscribers in this language.")
        ) from None
    log(instance=version, action="vigil.mailing_queue", user=user, data={"language": language})
    return mailing


@dataclass
class MailingPlan:
    """What one send does for subscribers of one language, shown before the editor sends."""

    language: str
    name: str
    recipients: int
    page: UpdatePage
    # The language of the text they get when it is not theirs; "" for a translation.
    content_language: str
    already_sent: bool


def mailing_plan(*, page) -> list[MailingPlan]:
    """For each language, who gets the update and in which version."""
    versions = _versions(page=page)
    sent = _sent_languages(page=page)
    counts = subscribers_by_language()
    plan = []
    for code, name in settings.LANGUAGES:
        version = _version_for(page=page, language=code, versions=versions)
        plan.append(
            MailingPlan(
                language=code,
                name=name,
                recipients=counts.get(code, 0),
                page=version,
                content_language=content_language(page=version, language=code),
                already_sent=code in sent,
            )
        )
    return plan


def mailings_queue(*, page, user) -> list[Mailing]:
    """One send for every language: each language's subscribers get their version of the
    update (the original where it is not translated); languages already sent are skipped."""
    if not page.live:
        raise MailingRefused(_("Only a published update can be sent."))
    languages = [code for code, _name in settings.LANGUAGES]
    sent = _sent_languages(page=page)
    if all(code in sent for code in languages):
        raise MailingRefused(
            _("This update has already been sent to the subscribers of every language.")
        )
    with transaction.atomic():
        return [
            mailing_create(page=page, user=user, language=code)
            for code in languages
            if code not in sent
        ]


def mailings_for(*, page) -> list["MailingProgress"]:
    """Every language's mailing of one update (any of its versions), with progress."""
    mailings = _with_counts(Mailing.objects.filter(page__translation_key=page.translation_key))
    order = {code: n for n, (code, _name) in enumerate(settings.LANGUAGES)}
    rows = [_progress_row(m) for m in mailings]
    return sorted(rows, key=lambda row: order.get(row.mailing.language, len(order)))


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


def _with_counts(mailings):
    return mailings.select_related("page", "created_by").annotate(
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


def _progress_row(mailing: Mailing) -> MailingProgress:
    return MailingProgress(
        mailing=mailing, total=mailing.n_total, sent=mailing.n_sent, failed=mailing.n_failed
    )


def mailings_with_progress(*, limit: int = 50) -> list[MailingProgress]:
    mailings = _with_counts(Mailing.objects.all())
    return [_progress_row(m) for m in mailings.order_by("-created_at", "-pk")[:limit]]


def mailing_start(mailing: Mailing) -> None:
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
    """The update rendered once per mailing, in the subscribers' language.

    Links are made absolute for mail readers; images are JPEG renditions (mail clients
    show no WebP); the numbered references follow the text, as on the page, and each
    [n] in the text links to its reference on the page.
    """
    page = mailing.page.specific
    site = page.get_site()
    base_url = site.root_url if site else settings.WAGTAILADMIN_BASE_URL
    with translation.override(mailing.language):
        page_url = page.get_full_url()
        body_html = str(
            page.body.render_as_block(context={"request": None, "page": page, "for_email": True})
        )
        if case_services.DAY_COUNT_TOKEN in body_html:
            home = site.root_page.specific if site else None
            body_html = case_services.body_insert_day_count(
                html=body_html, case=getattr(home, "featured_case", None)
            )
        references = page_references(page=page)
        body_html = body_link_references(html=body_html, reference_count=len(references)).html
    body_html = body_html.replace('href="#ref-', f'href="{page_url}#ref-')
    body_html = _ROOT_RELATIVE.sub(lambda m: f'{m.group(1)}{base_url}{m.group(2)}"', body_html)
    body_text = html.unescape(strip_tags(re.sub(r"</(p|h\d|li)>", "\n\n", body_html)))
    body_text = re.sub(r"\n{3,}", "\n\n", re.sub(r"[ \t]+", " ", body_text)).strip()
    return {
        "page": page,
        "page_url": page_url,
        "base_url": base_url,
        "body_html": body_html,
        "body_text": body_text,
        "references": [
            (number, reference, _reference_link(reference, base_url))
            for number, reference in enumerate(references, start=1)
        ],
        "content_language": content_language(page=page, language=mailing.language),
    }


def _reference_link(reference, base_url: str) -> str:
    if reference.url:
        return reference.url
    if reference.document_id:
        return url_absolute(base_url, reference.document.url)
    return ""


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
        mailing_start(mailing)
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
    # Queuing records who asked for the send; this records that it went out.
    log(
        instance=mailing.page,
        action="vigil.mailing_sent",
        user=None,
        data={
            "language": mailing.language,
            "total": result.total,
            "sent": result.sent,
            "failed": result.failed,
        },
    )
    if progress:
        progress(result)
    return result


def _delivery_send(delivery: Delivery, mailing: Mailing, content: dict, domain: str, connection):
    with translation.override(mailing.language):
        # In the subscriber's language too: /ru/act/unsubscribe/…, answered in Russian.
        unsubscribe_url = subscriber_unsubscribe_url(content["base_url"], delivery.subscriber)
        headers = list_unsubscribe_headers(unsubscribe_url)
        headers["Message-ID"] = f"<vigil-mailing-{mailing.pk}-{delivery.pk}@{domain}>"
        headers["Precedence"] = "bulk"
        mail_send(
            to=delivery.email,
            subject=mailing.subject,
            template="actions/email/update",
            context={**content, "unsubscribe_url": unsubscribe_url},
            headers=headers,
            connection=connection,
        )


@task(queue_name="mailings")
def mailings_send() -> int:
    """Send every queued mailing, and resume any a crash or a dead mail server cut off."""
    return mailings_process()


def mailings_process(*, progress: Callable[[MailingProgress], None] | None = None) -> int:
    """Send every queued or interrupted mailing, oldest first; returns how many finished.

    One sender at a time on all nodes: a second worker, or the command run by hand while
    a worker is busy, finds the lease taken (vigil/core/leases.py) and leaves the work to it.
    """
    with lease_hold(name="mailer") as acquired:
        if not acquired:
            return 0
        finished = 0
        pending = Mailing.objects.exclude(status=MailingStatus.DONE).select_related("page")
        for mailing in pending.order_by("created_at", "pk"):
            mailing_send(mailing=mailing, progress=progress)
            finished += 1
    return finished
