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
from wagtail.admin.views.account import LoginView

from vigil.core.services import request_client_ip
from vigil.ratelimits.services import ratelimit_hit, ratelimit_key

from . import services
from .forms import CodeForm
from .next_urls import is_asset

SESSION_RECOVERY_CODES = "vigil_recovery_codes"


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

    Per-account lockouts are django-axes' (username and address together); this limit
    stops one address trying many names.
    """

    def post(self, request, *args, **kwargs):
        limit, window = settings.VIGIL_LOGIN_RATE_LIMIT
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
        return super().post(request, *args, **kwargs)

    def form_valid(self, form):
        response = super().form_valid(form)
        services.signin_record(user=form.get_user(), ip=client_ip(self.request))
        return response

    def form_invalid(self, form):
        services.signin_failure_record(
            username=form.data.get("username", "")[:150],
            ip=client_ip(self.request),
            locked_out=bool(getattr(self.request, "axes_locked_out", False)),
        )
        return super().form_invalid(form)


@require_http_methods(["GET", "POST"])
def two_factor_setup(request):
    """Show a new authenticator's QR code and secret; a code from it confirms it."""
    user = request.user
    if services.two_factor_enabled(user=user):
        if request.user.is_verified():
            return redirect("vigil_accounts:recovery")
        return redirect(reverse("vigil_accounts:verify") + "?" + request.GET.urlencode())
    device = services.totp_device_pending(user=user)
    form = CodeForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                codes = services.totp_confirm(
                    user=user, device=device, code=form.cleaned_data["code"]
                )
            except ValidationError as error:
                form.add_error("code", error)
            else:
                otp_login(request, device)
                request.session[SESSION_RECOVERY_CODES] = codes
                return redirect(
                    reverse("vigil_accounts:recovery")
                    + "?"
                    + urlencode({"next": _next_url(request)})
                )
        status = 400
    return TemplateResponse(
        request,
        "accounts/two_factor_setup.html",
        {
            "form": form,
            "qr_svg": services.totp_qr_svg(device=device),
            "secret": services.totp_secret_text(device=device),
            "next": _next_url(request),
        },
        status=status,
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
                "removed). They will set it up again at their next sign-in."
            )
            % {"user": user.get_username(), "count": removed},
        )
        return redirect("wagtailusers_users:index")
    return TemplateResponse(
        request,
        "accounts/two_factor_reset.html",
        {"subject": user, "enabled": services.two_factor_enabled(user=user)},
    )
