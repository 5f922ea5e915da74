import logging
import sys

from django.conf import settings
from django.contrib.staticfiles import finders
from django.http import FileResponse, Http404, HttpResponse, HttpResponseServerError
from django.template import loader
from django.template.response import TemplateResponse
from django.utils import translation
from django.utils.functional import Promise
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET
from wagtail.models import Site

from .services import database_unavailable_reason, language_prefix, page_route_find

logger = logging.getLogger(__name__)

# Set by the mirror (vigil.mirror, which renders the static copy in-process) on each
# request it makes. A WSGI environ key, not an HTTP header: no request from outside can
# set it, so the mirror's variant of a page is never served by (or cached for) the live
# site. Named here because core's views answer differently in the copy.
MIRROR_ENVIRON_KEY = "vigil.mirror"


@require_GET
@cache_control(max_age=3600, public=True)
def robots_txt(request):
    site = Site.find_for_request(request)
    root = site.root_url if site else request.build_absolute_uri("/").rstrip("/")
    # A static copy has no admin to hide, and should not name where the live one is.
    in_copy = request.META.get(MIRROR_ENVIRON_KEY) is not None
    lines = [
        "User-agent: *",
        *([] if in_copy else ["Disallow: /admin/"]),
        "Disallow: /search/",
        "",
        # One sitemap per language; English is served without a prefix.
        *(
            f"Sitemap: {root}{language_prefix(language=code)}/sitemap.xml"
            for code, _name in settings.LANGUAGES
        ),
        "",
    ]
    return HttpResponse("\n".join(lines), content_type="text/plain; charset=utf-8")


@require_GET
@cache_control(max_age=86400, public=True)
def favicon(request):
    path = finders.find("img/favicon.ico")
    if not path:
        raise Http404
    return FileResponse(open(path, "rb"), content_type="image/x-icon")


def page_not_found(request, exception=None):
    """The site-styled 404, saying why when the code that refused knew."""
    message = exception.args[0] if exception is not None and exception.args else ""
    if isinstance(message, Promise):
        message = str(message)
    # Resolver errors carry a dict of tried patterns: nothing a reader needs.
    if not isinstance(message, str) or message.startswith("No "):
        message = ""
    return TemplateResponse(request, "404.html", {"message": message}, status=404)


def error_page(request, *, status: int, title: str, message: str) -> TemplateResponse:
    """The site-styled page for a refused request (400, 413, 429), rendered at once."""
    response = TemplateResponse(
        request, "core/error.html", {"title": title, "message": message}, status=status
    )
    response.render()
    return response


# Long enough for a busy timeout or a restart to pass, short enough for a reader to retry.
UNAVAILABLE_RETRY_SECONDS = 30


def server_error(request):
    """The 500 page, or a 503 with Retry-After when the database is locked, full or down.

    Called by Django while the exception is being handled. Both pages are rendered
    without a request context: nothing in them may touch the database again.
    """
    error = sys.exc_info()[1]
    reason = database_unavailable_reason(error=error) if error is not None else None
    if reason is None:
        return HttpResponseServerError(loader.get_template("500.html").render())
    # Django logs the traceback as "Service Unavailable"; this line names the cause.
    logger.error(
        "Database unavailable (%s: %s) for %s %s", reason, error, request.method, request.path
    )
    language = translation.get_language_from_path(request.path_info) or settings.LANGUAGE_CODE
    with translation.override(language):
        html = loader.get_template("503.html").render({"language": language})
    response = HttpResponse(html, status=503)
    response["Retry-After"] = str(UNAVAILABLE_RETRY_SECONDS)
    response["Cache-Control"] = "no-store"
    return response


def serve(request, path):
    """Wagtail's page view, with the page found in fewer queries (`page_route_find`).

    Wagtail keeps the route it finds on the request; finding it first here means Wagtail
    (and anything else asking for this request's page) uses it.
    """
    from wagtail import views as wagtail_views

    if not hasattr(request, "_wagtail_route_for_request"):
        try:
            request._wagtail_route_for_request = page_route_find(request=request, path=path)
        except Http404:
            request._wagtail_route_for_request = None
    return wagtail_views.serve(request, path)
