"""Admin views for editors: counts, the signatures export, erasure and sending updates."""

import csv
import itertools

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, JsonResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_http_methods
from wagtail.admin.auth import require_admin_access

from vigil.core.refusals import Need, requires
from vigil.news.models import UpdatePage

from . import services
from .forms import EraseForm
from .models import MailingStatus, PetitionPage, Subscriber

EXPORT_SIGNATURES = Need(
    action=gettext_lazy("export the signatures of a petition"),
    permissions={"actions.export_signature": gettext_lazy("Can export signatures as CSV")},
)
ERASE_PERSON = Need(
    action=gettext_lazy("erase a person's data"),
    permissions={
        "actions.delete_signature": gettext_lazy("Can delete signatures"),
        "actions.delete_subscriber": gettext_lazy("Can delete subscribers"),
    },
)
SEND_MAILING = Need(
    action=gettext_lazy("send updates to subscribers"),
    permissions={"actions.send_mailing": gettext_lazy("Can send updates to subscribers")},
)


class _Echo:
    def write(self, value):
        return value


def _admin_page(request, template, context, *, title, status=200):
    context = {"page_title": title, "header_title": title, "header_icon": "mail", **context}
    return TemplateResponse(request, template, context, status=status)


@require_admin_access
def overview(request):
    """Petitions with their counts, subscribers by language and recent mailings."""
    mailings = services.mailings_with_progress()
    return _admin_page(
        request,
        "actions/admin/overview.html",
        {
            "petitions": services.petitions_summary(),
            "subscribers": sorted(services.subscribers_by_language().items()),
            "unconfirmed_subscribers": Subscriber.objects.filter(confirmed_at__isnull=True).count(),
            "mailings": mailings,
            "sending": any(m.mailing.status != MailingStatus.DONE for m in mailings),
            "can_export": request.user.has_perm("actions.export_signature"),
            "can_send": request.user.has_perms(list(SEND_MAILING.permissions)),
            "can_erase": request.user.has_perms(list(ERASE_PERSON.permissions)),
        },
        title=_("Petitions and email updates"),
    )


@require_admin_access
@requires(EXPORT_SIGNATURES)
def signatures_export(request, pk: int):
    """All signatures of one petition as CSV; recorded in the audit log."""
    petition = get_object_or_404(PetitionPage, pk=pk)
    writer = csv.writer(_Echo())
    rows = services.signatures_export_rows(petition=petition, user=request.user)
    # Excel takes a CSV for UTF-8 only when it starts with a byte order mark; without
    # one, every Cyrillic or Kazakh name opens as mojibake.
    body = itertools.chain(["\ufeff"], (writer.writerow(row) for row in rows))
    response = StreamingHttpResponse(body, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="signatures-{petition.pk}.csv"'
    response["Cache-Control"] = "private, no-store"
    return response


@require_admin_access
@requires(ERASE_PERSON)
@require_http_methods(["GET", "POST"])
def erase(request):
    """Erase one person, by email address, from every petition and mailing list."""
    form = EraseForm(request.POST or None)
    if request.method == "POST":
        if form.is_valid():
            counts = services.person_erase(email=form.cleaned_data["email"], user=request.user)
            messages.success(
                request,
                _(
                    "Erased: %(signatures)s signatures, %(subscribers)s subscriptions, "
                    "%(deliveries)s email records."
                )
                % counts,
            )
            return redirect("actions_admin:erase")
        return _admin_page(
            request,
            "actions/admin/erase.html",
            {"form": form},
            title=_("Erase a person"),
            status=400,
        )
    return _admin_page(
        request, "actions/admin/erase.html", {"form": form}, title=_("Erase a person")
    )


@require_admin_access
@requires(SEND_MAILING)
@require_http_methods(["GET", "POST"])
def mailing_new(request, page_id: int):
    """Confirm, then queue, the sending of a published update to every language's
    subscribers, each in their language's version of it."""
    page = get_object_or_404(UpdatePage, pk=page_id)
    if not page.permissions_for_user(request.user).can_edit():
        raise PermissionDenied
    if request.method == "POST":
        try:
            mailings = services.mailings_queue(page=page, user=request.user)
        except services.MailingRefused as error:
            messages.error(request, error.message)
            return redirect("actions_admin:overview")
        recipients = sum(
            row.recipients
            for row in services.mailing_plan(page=page)
            if row.language in {m.language for m in mailings}
        )
        messages.success(
            request,
            ngettext(
                "“%(title)s” is queued for %(count)s subscriber. Progress is shown below.",
                "“%(title)s” is queued for %(count)s subscribers. Progress is shown below.",
                recipients,
            )
            % {"title": page.title, "count": recipients},
        )
        return redirect("actions_admin:mailing_progress", page_id=page.pk)
    if not page.live:
        raise Http404(_("Only a published update can be sent."))
    plan = services.mailing_plan(page=page)
    return _admin_page(
        request,
        "actions/admin/mailing_new.html",
        {
            "update": page,
            "plan": plan,
            "all_sent": all(row.already_sent for row in plan),
            "action_url": reverse("actions_admin:mailing_new", args=[page.pk]),
        },
        title=_("Send an update to subscribers"),
    )


def _progress_rows(page) -> list[dict]:
    names = dict(settings.LANGUAGES)
    return [
        {
            "language": row.mailing.language,
            "name": names.get(row.mailing.language, row.mailing.language),
            "status": row.mailing.status,
            "status_label": str(row.mailing.get_status_display()),
            "sent": row.sent,
            "failed": row.failed,
            "total": row.total,
            "error": row.mailing.last_error,
        }
        for row in services.mailings_for(page=page)
    ]


@require_admin_access
def mailing_progress(request, page_id: int):
    """Each language's sending of one update; a static script refreshes the figures."""
    page = get_object_or_404(UpdatePage, pk=page_id)
    rows = _progress_rows(page)
    if not rows:
        raise Http404(_("This update has not been sent to subscribers."))
    return _admin_page(
        request,
        "actions/admin/mailing_progress.html",
        {
            "update": page,
            "rows": rows,
            "sending": any(row["status"] != MailingStatus.DONE for row in rows),
            "progress_url": reverse("actions_admin:mailing_progress_json", args=[page.pk]),
        },
        title=_("Sending to subscribers"),
    )


@require_admin_access
def mailing_progress_json(request, page_id: int):
    """The figures of `mailing_progress`, for its script to poll."""
    page = get_object_or_404(UpdatePage, pk=page_id)
    rows = _progress_rows(page)
    response = JsonResponse(
        {"done": all(row["status"] == MailingStatus.DONE for row in rows), "languages": rows}
    )
    response["Cache-Control"] = "private, no-store"
    return response
