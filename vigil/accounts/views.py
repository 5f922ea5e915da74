"""Sign-in with audit log and rate limit, and the two-factor pages of the admin."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice
from wagtail.admin.views.account import LoginView

from vigil.core.services import request_client_ip
from vigil.ratelimits.services import ratelimit_hit, ratelimit_key

from . import services, signin
from .forms import CodeForm
from .models import EnrolmentInvitation
from .next_urls import is_asset

SESSION_RECOVERY_CODES = "vigil_recovery_codes"
# The enrolment link this session opened, and the authenticator its set-up page shows.
SESSION_INVITATION = "vigil_enrolment_invitation"
SESSION_PENDING_DEVICE = "vigil_pending_totp_device"


def client_ip(request) -> str:
    return request_client_ip(request=request)


def _next_url(request) -> str:
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if (
        candidate
        and url_has_allowed_host_and_scheme(
            candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        )
        and not is_asset(candidate)
    ):
        return candidate
    return reverse("wagtailadmin_home")


class SignInView(LoginView):
    """Wagtail's sign-in, with a per-address rate limit and every attempt audit-logged.

    After repeated failures for a user name (from one address, or from all together),
    a code from the authenticator is asked before the password is checked
    (vigil/accounts/signin.py): no failure ever locks the editor out.
    """

    def post(self, request, *args, **kwargs):
        limit, window = settings.VIGIL_SIGNIN_RATE_LIMIT
        if not ratelimit_hit(
            key=ratelimit_key(scope="login", value=client_ip(request)),
            limit=limit,
            window_seconds=window,
        ):
            return TemplateResponse(
                request,
                "accounts/lockout.html",
                {"too_many_from_address": True},
                status=429,
            )
        username = request.POST.get("username", "")[:150]
        self.code_first = signin.signin_code_first_required(
            username=username, ip=client_ip(request)
        )
        self.code_first_pass = None
        if self.code_first:
            self.code_first_pass = signin.signin_code_first_check(
                username=username,
                code=request.POST.get("code", "")[:20],
                next_url=request.POST.get("next", ""),
            )
            if self.code_first_pass is None:
                # The password is not looked at: without the second factor, no guess counts.
                services.signin_failure_record(
                    username=username, ip=client_ip(request), code_first=True
                )
                # An unbound form: a bound one would check the password as it renders
                # (and its error message would tell whether the password was right).
                form = self.get_form_class()(request=request, initial={"username": username})
                return self.render_to_response(self.get_context_data(form=form), status=429)
        return super().post(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["code_first"] = getattr(self, "code_first", False)
        return context

    def form_valid(self, form):
        response = super().form_valid(form)
        user = form.get_user()
        services.signin_record(user=user, ip=client_ip(self.request))
        passed = getattr(self, "code_first_pass", None)
        if passed is not None and passed.device is not None and passed.device.user_id == user.pk:
            signin.code_first_complete(passed=passed)
            otp_login(self.request, passed.device)
        return response

    def form_invalid(self, form):
        services.signin_failure_record(
            username=form.data.get("username", "")[:150],
            ip=client_ip(self.request),
            code_first=bool(getattr(self, "code_first", False)),
        )
        return super().form_invalid(form)


@require_http_methods(["GET"])
def enrolment_start(request, token: str):
    """The one-time link of a new editor (or after a reset): opens the set-up page.

    Reached only signed in (Wagtail's admin sends strangers to sign in first, and back
    here). The link must be this account's, unused and unexpired.
    """
    if services.two_factor_enabled(user=request.user):
        messages.info(request, _("Two-factor authentication is already set up for you."))
        return redirect("wagtailadmin_home")
    invitation = services.enrolment_invitation_find(user=request.user, token=token)
    if invitation is None:
        # A redirect, not a 403 here: Django logs every 4xx with its path, the token.
        return redirect(reverse("vigil_accounts:setup") + "?link=refused")
    request.session[SESSION_INVITATION] = invitation.pk
    return redirect(reverse("vigil_accounts:setup") + "?" + urlencode({"next": _next_url(request)}))


def _session_invitation(request):
    pk = request.session.get(SESSION_INVITATION)
    invitation = EnrolmentInvitation.objects.filter(pk=pk).first() if pk else None
    return invitation if invitation and invitation.user_id == request.user.pk else None


@require_http_methods(["GET", "POST"])
def two_factor_setup(request):
    """Show a new authenticator's QR code and secret; a code from it confirms it.

    Only after the editor's one-time set-up link: a password alone sets nothing up.
    Every page shows a new secret; the code must come from the one shown last.
    """
    user = request.user
    if services.two_factor_enabled(user=user):
        if request.user.is_verified():
            return redirect("vigil_accounts:recovery")
        return redirect(reverse("vigil_accounts:verify") + "?" + request.GET.urlencode())
    invitation = _session_invitation(request)
    if not services.enrolment_invitation_usable(invitation=invitation, user=user):
        refused = request.GET.get("link") == "refused"
        return TemplateResponse(
            request, "accounts/enrolment_link_needed.html", {"link_refused": refused}, status=403
        )
    form = CodeForm(request.POST or None)
    device = None
    if request.method == "POST":
        device = TOTPDevice.objects.filter(
            pk=request.session.get(SESSION_PENDING_DEVICE), user=user, confirmed=False
        ).first()
        if device is not None and form.is_valid():
            try:
                codes = services.totp_confirm(
                    user=user,
                    device=device,
                    code=form.cleaned_data["code"],
                    ip=client_ip(request),
                    invitation=invitation,
                )
            except ValidationError as error:
                form.add_error("code", error)
            else:
                otp_login(request, device)
                for key in (SESSION_INVITATION, SESSION_PENDING_DEVICE):
                    request.session.pop(key, None)
                request.session[SESSION_RECOVERY_CODES] = codes
                return redirect(
                    reverse("vigil_accounts:recovery")
                    + "?"
                    + urlencode({"next": _next_url(request)})
                )
        elif device is None:
            form.is_valid()
            form.add_error("code", _("This set-up page has expired: scan the new code below."))
    if device is None:
        device = services.totp_device_new(user=user)
        request.session[SESSION_PENDING_DEVICE] = device.pk
    return TemplateResponse(
        request,
        "accounts/two_factor_setup.html",
        {
            "form": form,
            "qr_svg": services.totp_qr_svg(device=device),
            "secret": services.totp_secret_text(device=device),
            "next": _next_url(request),
        },
        status=400 if request.method == "POST" else 200,
    )


@require_http_methods(["GET", "POST"])
def two_factor_verify(request):
    """Ask a signed-in editor for a code from their authenticator or a recovery code."""
    user = request.user
    if not services.two_factor_enabled(user=user):
        return redirect(reverse("vigil_accounts:setup") + "?" + request.GET.urlencode())
    if user.is_verified():
        return redirect(_next_url(request))
    form = CodeForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            device = services.two_factor_check(
                user=user, code=form.cleaned_data["code"], ip=client_ip(request)
            )
            if device is not None:
                otp_login(request, device)
                return redirect(_next_url(request))
            form.add_error(
                "code",
                _(
                    "That code is not right, or the recovery code was used already. After "
                    "a wrong code, wait a few seconds before the next try."
                ),
            )
        status = 400
    return TemplateResponse(
        request,
        "accounts/two_factor_verify.html",
        {"form": form, "next": _next_url(request)},
        status=status,
    )


@require_http_methods(["GET", "POST"])
def recovery_codes(request):
    """New recovery codes, shown once; or how many are left and a button for new ones."""
    if request.method == "POST":
        if not services.two_factor_enabled(user=request.user):
            return redirect("vigil_accounts:setup")
        request.session[SESSION_RECOVERY_CODES] = services.recovery_codes_new(user=request.user)
        return redirect("vigil_accounts:recovery")
    codes = request.session.pop(SESSION_RECOVERY_CODES, None)
    # Admin pages are never cached; these codes least of all.
    response = TemplateResponse(
        request,
        "accounts/recovery_codes.html",
        {
            "codes": codes,
            "codes_left": services.recovery_codes_left(user=request.user),
            "next": _next_url(request),
        },
    )
    return response


@require_http_methods(["GET", "POST"])
def two_factor_reset(request, user_id: int):
    """Confirm, then remove another editor's devices (e.g. after a lost phone)."""
    user = get_object_or_404(get_user_model(), pk=user_id)
    if not services.user_can_reset_two_factor(actor=request.user, user=user):
        raise PermissionDenied
    if request.method == "POST":
        removed = services.two_factor_reset(user=user, by=request.user)
        messages.success(
            request,
            _(
                "Two-factor authentication was reset for %(user)s (%(count)s devices "
                "removed). They set it up again through a new one-time link."
            )
            % {"user": user.get_username(), "count": removed},
        )
        enrolment_link_issue(request, user=user)
        return redirect("wagtailusers_users:index")
    return TemplateResponse(
        request,
        "accounts/two_factor_reset.html",
        {"subject": user, "enabled": services.two_factor_enabled(user=user)},
    )


def enrolment_link_issue(request, *, user) -> None:
    """Make a new set-up link for `user`, email it, and show it once to the administrator
    (mail may not arrive: no mail server yet, or a typo in the address)."""
    url = services.enrolment_link_create(user=user, by=request.user)
    sent = services.enrolment_link_send(user=user, url=url)
    message = (
        _("A two-factor set-up link was sent to %(email)s. It works once: %(url)s")
        if sent
        else _(
            "Could not email the set-up link. Give it to %(user)s yourself; it works once: %(url)s"
        )
    )
    messages.warning(
        request, message % {"email": user.email, "user": user.get_username(), "url": url}
    )
