"""Admin views for editors: counts, the signatures export, erasure and sending updates."""

import csv

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods
from wagtail.admin.auth import require_admin_access

from vigil.news.models import UpdatePage

from . import services
from .forms import EraseForm
from .models import MailingStatus, PetitionPage, Subscriber


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
            "can_erase": _can_erase(request.user),
        },
        title=_("Petitions and email updates"),
    )


@require_admin_access
@permission_required("actions.export_signature", raise_exception=True)
def signatures_export(request, pk: int):
    """All signatures of one petition as CSV; recorded in the audit log."""
    petition = get_object_or_404(PetitionPage, pk=pk)
    writer = csv.writer(_Echo())
    rows = services.signatures_export_rows(petition=petition, user=request.user)
    response = StreamingHttpResponse(
        (writer.writerow(row) for row in rows), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="signatures-{petition.pk}.csv"'
    response["Cache-Control"] = "private, no-store"
    return response


def _can_erase(user) -> bool:
    return user.has_perms(["actions.delete_signature", "actions.delete_subscriber"])


@require_admin_access
@require_http_methods(["GET", "POST"])
def erase(request):
    """Erase one person, by email address, from every petition and mailing list."""
    if not _can_erase(request.user):
        raise PermissionDenied
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
@permission_required("actions.send_mailing", raise_exception=True)
@require_http_methods(["GET", "POST"])
def mailing_new(request, page_id: int):
    """Confirm, then queue, the sending of a published update to its subscribers."""
    page = get_object_or_404(UpdatePage, pk=page_id)
    if not page.permissions_for_user(request.user).can_edit():
        raise PermissionDenied
    language = page.locale.language_code
    recipients = Subscriber.objects.filter(language=language, confirmed_at__isnull=False).count()
    if request.method == "POST":
        try:
            services.mailing_create(page=page, user=request.user)
        except services.MailingRefused as error:
            messages.error(request, error.message)
            return redirect("actions_admin:overview")
        messages.success(
            request,
            ngettext(
                "“%(title)s” is queued for %(count)s subscriber. Progress is shown below.",
                "“%(title)s” is queued for %(count)s subscribers. Progress is shown below.",
                recipients,
            )
            % {"title": page.title, "count": recipients},
        )
        return redirect("actions_admin:overview")
    if not page.live:
        raise Http404(_("Only a published update can be sent."))
    return _admin_page(
        request,
        "actions/admin/mailing_new.html",
        {
            "update": page,
            "recipients": recipients,
            "language": language,
            "already_sent": page.mailings.filter(language=language).exists(),
            "action_url": reverse("actions_admin:mailing_new", args=[page.pk]),
        },
        title=_("Send an update to subscribers"),
    )
