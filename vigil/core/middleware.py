"""Headers and request checks that apply to every response and request."""

from urllib.parse import parse_qsl, unquote_to_bytes

from django.conf import settings
from django.utils.translation import gettext as _

from .views import error_page

# The environ key vigil/core/server.py sets on a body it did not pass on (server.py
# imports this module, so the name lives here).
BODY_PROBLEM = "vigil.body_problem"


class PermissionsPolicyMiddleware:
    """Send `Permissions-Policy` turning off the browser features Vigil never uses."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.header = ", ".join(
            f"{feature}={allow}" for feature, allow in settings.PERMISSIONS_POLICY.items()
        )

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Permissions-Policy", self.header)
        return response


class CrossOriginResourcePolicyMiddleware:
    """Send `Cross-Origin-Resource-Policy`: other sites' pages may not load Vigil's
    responses as images, scripts or media (no-cors), so an editor's admin pages and
    exports can never be pulled into another site's process (Spectre-style reads).

    Public images (CROSS_ORIGIN_EMBEDDABLE_PREFIXES) are `cross-origin`: newspapers,
    partners and mirrors of the campaign may show its photographs. Feeds need nothing:
    feed readers are not browsers, and CORS governs a page's fetch() of them.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self.embeddable = tuple(settings.CROSS_ORIGIN_EMBEDDABLE_PREFIXES)

    def __call__(self, request):
        response = self.get_response(request)
        embeddable = self.embeddable and request.path_info.startswith(self.embeddable)
        response.headers.setdefault(
            "Cross-Origin-Resource-Policy", "cross-origin" if embeddable else "same-origin"
        )
        return response


class AdminContentSecurityPolicyMiddleware:
    """The admin's own content security policy (ADMIN_CONTENT_SECURITY_POLICY) in place
    of the public pages'. Listed after django-csp's middleware: it marks the response
    before the policy is written. A preview (the public page inside the admin) keeps
    the public policy: django-csp writes that on the preview's own request first."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if request.path_info.startswith("/admin/") and not getattr(request, "is_preview", False):
            response._csp_config = settings.ADMIN_CONTENT_SECURITY_POLICY
        return response


class PreviewFramingMiddleware:
    """Let the admin frame its previews (Wagtail's live preview panel and the Checks
    panel, whose checks run inside the frame); every public page keeps
    `frame-ancestors 'none'` and `X-Frame-Options: DENY`.

    A preview is Wagtail's dummy request for the page's public address, served through
    the whole middleware stack, so it would get the public policy. Listed after
    django-csp's middleware: it marks the response before the policy is written.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        # Wagtail sets `is_preview` only on the dummy request of an admin preview view.
        if getattr(request, "is_preview", False):
            response._csp_replace = {"frame-ancestors": ["'self'"]}
            response["X-Frame-Options"] = "SAMEORIGIN"
        return response


def body_limit(path: str) -> int:
    """Largest request body accepted at `path`: the admin takes uploads, forms do not."""
    if path.startswith("/admin/"):
        return settings.VIGIL_ADMIN_MAX_REQUEST_BYTES
    return settings.VIGIL_MAX_REQUEST_BYTES


def query_string_invalid_utf8(raw: str) -> bool:
    """True when the percent-decoded query string is not UTF-8 (Django would replace it).

    WSGI gives the query string's bytes as they came, decoded as ISO-8859-1: they are
    encoded back to those bytes first, as Django does, so that raw bytes that are not
    UTF-8 (not percent-encoded) are caught as well as percent-encoded ones.
    """
    try:
        sent = raw.encode("iso-8859-1")
    except UnicodeEncodeError:  # not from a WSGI server: already text
        sent = raw.encode("utf-8")
    try:
        unquote_to_bytes(sent.replace(b"+", b" ")).decode("utf-8")
    except UnicodeDecodeError:
        return True
    return False


def form_body_invalid_utf8(request) -> bool:
    """True when a url-encoded form body is not UTF-8; multipart bodies are left to forms."""
    if request.content_type != "application/x-www-form-urlencoded":
        return False
    try:
        text = request.body.decode("utf-8")
        parse_qsl(text, keep_blank_values=True, encoding="utf-8", errors="strict")
    except UnicodeDecodeError:
        return True
    return False


class RequestGuardMiddleware:
    """Refuse what no view should see, before it is read or decoded.

    - a declared body over the limit: 413 (Django would read it and answer 400);
    - a query string or a url-encoded form that is not valid UTF-8: 400 (Django would
      silently replace the bad bytes, so a search or a signature would be stored mangled);
    - a body the server front cut off (vigil/core/server.py): 408 when it came too
      slowly, 503 when the worker was already reading as many bodies as it may.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        problem = request.META.get(BODY_PROBLEM)
        if problem == "slow":
            response = error_page(
                request,
                status=408,
                title=_("Too slow"),
                message=_("What was sent arrived too slowly. Please try again."),
            )
            response["Connection"] = "close"
            return response
        if problem == "busy":
            response = error_page(
                request,
                status=503,
                title=_("Busy"),
                message=_("The site is busy receiving other forms. Please try again shortly."),
            )
            response["Retry-After"] = "10"
            return response
        try:
            declared = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            declared = 0
        if declared > body_limit(request.path_info):
            return error_page(
                request,
                status=413,
                title=_("Too much data"),
                message=_("What was sent is larger than this site accepts."),
            )
        if query_string_invalid_utf8(request.META.get("QUERY_STRING", "")) or (
            request.method == "POST" and form_body_invalid_utf8(request)
        ):
            return error_page(
                request,
                status=400,
                title=_("Bad request"),
                message=_(
                    "The address or form contained characters that could not be read. "
                    "Please check it and try again."
                ),
            )
        return self.get_response(request)
