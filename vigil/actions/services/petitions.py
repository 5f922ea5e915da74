"""Petitions and their signatures: signing, confirming, withdrawing, counting, exporting."""

from collections.abc import Iterator

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Count, F, Func, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from wagtail.log_actions import log

from vigil.core.services import page_source, page_source_id

from ..models import (
    ExternalPetition,
    ExternalPetitionCount,
    PetitionPage,
    Signature,
)
from .common import (
    PURPOSE_SIGNATURE_CONFIRM,
    PURPOSE_SIGNATURE_WITHDRAW,
    ActionError,
    AlreadyGone,
    TryAgain,
    email_digest,
    email_normalise,
    signature_withdraw_url,
    token_make,
    token_read,
    url_absolute,
)
from .outbox import outbox_add
from .subscriptions import subscriber_confirmed


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


def petitions_total_expressions(*, case_key) -> dict:
    """Two figures for a query to read, as subqueries: the confirmed signatures on every
    petition of this site about the case (or about no case), and the latest count of each
    petition elsewhere about it. `case_key` is the case page's translation key (its
    translations are the same case), a value or an OuterRef."""

    def about_case(prefix: str) -> Q:
        return Q(**{f"{prefix}case__translation_key": case_key}) | Q(
            **{f"{prefix}case__isnull": True}
        )

    # COUNT and SUM as plain functions: one row for the whole subquery, no GROUP BY.
    signed = (
        Signature.objects.filter(about_case("petition__"), confirmed_at__isnull=False)
        .order_by()
        .values(n=Func(F("pk"), function="COUNT"))
    )
    latest = (
        ExternalPetitionCount.objects.filter(petition=OuterRef("petition"))
        .order_by("-date", "-pk")
        .values("pk")[:1]
    )
    elsewhere = (
        ExternalPetitionCount.objects.filter(about_case("petition__"), pk=Subquery(latest))
        .order_by()
        .values(n=Func(F("count"), function="SUM"))
    )
    return {
        "signed": Coalesce(Subquery(signed), 0),
        "signed_elsewhere": Coalesce(Subquery(elsewhere), 0),
    }


def petition_overview(*, petition: PetitionPage) -> dict:
    """What the petition page shows: the count, progress, state, recent signers, totals.

    Signatures belong to the petition in the default language: every translation of a
    petition shows, and adds to, the same count.
    """
    # The default-language petition's id as a subquery: no query of its own.
    confirmed = Signature.objects.filter(
        petition_id=page_source_id(page=petition), confirmed_at__isnull=False
    )
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
    """Record a signature and queue its confirmation link (or, for an address that has
    already signed and confirmed, a note saying so) in the same transaction.

    Every case does the same work and none talks to the mail server, so neither the
    answer nor its timing tells who signed: a second request only mails the address itself.
    """
    if petition.state() != "open":
        raise ActionError(_("This petition is not open for signing."))
    shown = petition
    petition = page_source(page=petition)
    email = email_normalise(email=email)
    with transaction.atomic():
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
        except IntegrityError:
            signature = Signature.objects.filter(petition=petition, email=email).first()
            if signature is None:  # withdrawn in between
                raise TryAgain(_("Please send the form again.")) from None
        _signature_email(signature=signature, petition=shown, base_url=base_url)


def _signature_email(*, signature: Signature, petition: PetitionPage, base_url: str) -> None:
    with translation.override(signature.language):
        context = {
            "petition": petition,
            "petition_url": url_absolute(base_url, petition.url or "/"),
            "withdraw_url": signature_withdraw_url(base_url, signature),
            "first_name": signature.first_name,
        }
        if signature.confirmed_at:
            subject = _("You have already signed: %(title)s") % {"title": petition.title}
            template = "actions/email/already_signed"
            purpose = "signature-already"
        else:
            token = token_make(
                purpose=PURPOSE_SIGNATURE_CONFIRM, pk=signature.pk, email=signature.email
            )
            context["confirm_url"] = url_absolute(
                base_url, reverse("actions:signature_confirm", args=[token])
            )
            context["days"] = settings.ACTIONS_CONFIRM_MAX_AGE // 86400
            subject = _("Please confirm your signature: %(title)s") % {"title": petition.title}
            template = "actions/email/confirm_signature"
            purpose = PURPOSE_SIGNATURE_CONFIRM
        outbox_add(
            to=signature.email,
            subject=subject,
            purpose=purpose,
            template=template,
            context=context,
            headers={"Auto-Submitted": "auto-generated"},
        )


def _signature_from_token(*, purpose: str, token: str) -> Signature:
    pk, digest = token_read(purpose=purpose, token=token)
    signature = Signature.objects.select_related("petition").filter(pk=pk).first()
    if signature is None or email_digest(signature.email) != digest:
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
            subscriber_confirmed(email=signature.email, language=signature.language, at=now)
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
            _csv_safe(signature.email),
            signature.country.code,
            _csv_safe(signature.comment),
            "yes" if signature.consent_updates else "no",
            "yes" if signature.show_publicly else "no",
            signature.language,
            signature.created_at.isoformat(),
            signature.confirmed_at.isoformat() if signature.confirmed_at else "",
        ]


# A cell starting with one of these is run as a formula by spreadsheets (CSV injection,
# OWASP): = + - @ tab CR, LF too, and their full-width forms, which LibreOffice and
# Excel take for the ASCII ones; spaces before them do not stop them.
CSV_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n", "\uff1d", "\uff0b", "\uff0d", "\uff20")


def _csv_safe(value: str) -> str:
    return "'" + value if value.lstrip(" ").startswith(CSV_FORMULA_STARTS) else value


def petitions_summary() -> list[PetitionPage]:
    """Every petition with `.confirmed` and `.unconfirmed` counts, for editors."""
    return list(
        # Signatures belong to the default-language petition; translations have none.
        PetitionPage.objects.filter(locale__language_code=settings.LANGUAGE_CODE)
        .annotate(
            confirmed=Count("signatures", filter=Q(signatures__confirmed_at__isnull=False)),
            unconfirmed=Count("signatures", filter=Q(signatures__confirmed_at__isnull=True)),
        )
        .order_by("-first_published_at", "pk")
    )
