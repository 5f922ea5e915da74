"""Admin sessions: signed out after a spell of inactivity, and two factors before any page."""

import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.http import HttpResponseForbidden
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from . import services
from .next_urls import ASSET_URL_NAMES

SESSION_LAST_SEEN = "vigil_admin_last_seen"
ADMIN_PREFIX = "/admin/"
# Requests the admin pages make on their own while open: not a sign of someone there.
BACKGROUND_PREFIXES = ("/admin/editing-sessions/",)
# The one-time set-up links (vigil_accounts:enrol), open before the second factor.
ENROL_PREFIX = "/admin/two-factor/enrol/"


class AdminAccessMiddleware:
    """For signed-in users on /admin/: the idle timeout, then the second factor.

    Runs after django-otp's OTPMiddleware, which tells whether this session has passed
    a second factor (`request.user.is_verified()`).
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self._open_paths = None

    def open_paths(self) -> tuple[str, ...]:
        """Admin pages a signed-in but unverified editor may still reach."""
        if self._open_paths is None:
            self._open_paths = (
                reverse("wagtailadmin_login"),
                reverse("wagtailadmin_logout"),
                reverse("vigil_accounts:setup"),
                reverse("vigil_accounts:verify"),
                # Redirected, the sprite would put a second copy of the 2FA page into it.
                *(reverse(name) for name in ASSET_URL_NAMES),
            )
        return self._open_paths

    def __call__(self, request):
        path = request.path_info
        if not path.startswith(ADMIN_PREFIX) or not request.user.is_authenticated:
            return self.get_response(request)

        now = time.time()
        last_seen = request.session.get(SESSION_LAST_SEEN)
        if last_seen is not None and now - last_seen > settings.VIGIL_ADMIN_IDLE_SECONDS:
            logout(request)
            messages.info(
                request,
                _("You were signed out after %(minutes)s minutes without activity.")
                % {"minutes": settings.VIGIL_ADMIN_IDLE_SECONDS // 60},
            )
            return redirect_to_login(request.get_full_path(), reverse("wagtailadmin_login"))
        if last_seen is None or not path.startswith(BACKGROUND_PREFIXES):
            request.session[SESSION_LAST_SEEN] = now

        if (
            settings.VIGIL_REQUIRE_2FA
            and not request.user.is_verified()
            and path not in self.open_paths()
            and not path.startswith(ENROL_PREFIX)
        ):
            if not is_navigation(request):
                # A script's request (fetch, XHR) would get the 2FA page's HTML for its
                # data; it is refused, and only a page the editor opened becomes `next`.
                return HttpResponseForbidden(
                    _("Enter your two-factor code first."), content_type="text/plain"
                )
            target = (
                "vigil_accounts:verify"
                if services.two_factor_enabled(user=request.user)
                else "vigil_accounts:setup"
            )
            next_url = request.get_full_path() if request.method == "GET" else ""
            query = "?" + urlencode({"next": next_url}) if next_url else ""
            return redirect(reverse(target) + query)
        return self.get_response(request)


def is_navigation(request) -> bool:
    """Whether the browser is opening this address as a page (or says nothing: old
    browsers and test clients send no Fetch Metadata)."""
    return request.headers.get("Sec-Fetch-Mode", "navigate") == "navigate"
