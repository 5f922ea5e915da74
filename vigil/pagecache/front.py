"""Which cached pages nginx may serve by itself, and the headers it must send with them.

nginx finds a page from the request alone (`<scheme>/<host><path>@.<ext>` under the
cache's FRONT_FOLDER, store.py) and cannot read headers from a file: it sends the same
headers with every page it serves (`manage.py nginx_conf` writes them into its conf),
the type by the file's extension and the language by the path's prefix. So a page is
written for nginx only when its stored headers are exactly those: a page whose headers
differ (an X-Robots-Tag on a sitemap, another framing policy) stays Python's to serve.

The headers are not copied by hand: `front_headers` runs Django's middleware on an
empty page and keeps what it adds. The page cache compares each page with that set,
and the conf is generated from it, so both change with the code.
"""

import functools
import re
from urllib.parse import urlsplit

from django.conf import settings
from django.core.handlers.base import BaseHandler
from django.http import HttpResponse
from django.test import RequestFactory
from django.utils import translation

from vigil.core.services import language_prefix

from .store import DROPPED_HEADERS

# The exact Content-Type of each kind of page nginx may serve, and the extension it is
# served by (the conf's `types`). Anything else is served by Python only.
FRONT_TYPES = {
    "text/html; charset=utf-8": "html",
    "application/rss+xml; charset=utf-8": "rss",
    "application/atom+xml; charset=utf-8": "atom",
    "application/xml": "xml",
    "application/json": "json",
    "image/svg+xml": "svg",
    "text/calendar; charset=utf-8": "ics",
    "text/csv; charset=utf-8": "csv",
    "text/plain; charset=utf-8": "txt",
}
# Headers that differ from page to page and that nginx makes itself: the type (by
# extension), the language (by path) and Last-Modified (the file's time).
_PER_PAGE = {"content-type", "content-language", "last-modified"}
# A path nginx can find as it is: no percent-decoding, case or dot segments to differ on.
_SAFE_PATH = re.compile(r"/(?:[A-Za-z0-9_~-][A-Za-z0-9._~-]*/?)*")
# A host as nginx's $host writes it (lower case), with the port of a front that listens
# on another than the scheme's own (nginx.py host_expression).
_SAFE_HOST = re.compile(r"[a-z0-9](?:[a-z0-9.-]*[a-z0-9])?(?::[0-9]{1,5})?")


def _host_allowed() -> str:
    """A host name the settings allow, for the probe's request."""
    for host in settings.ALLOWED_HOSTS:
        if host and host != "*" and not host.startswith("."):
            return host
    return "localhost"


class _Probe(BaseHandler):
    """Django's middleware around an empty page instead of the URLconf."""

    def _get_response(self, request):
        return HttpResponse(b"", content_type="text/html; charset=utf-8")


def _normal(name: str, value: str) -> tuple[str, str]:
    """A header in a form two equal headers share: django-csp writes the policy's
    directives in the order of a set, which differs between processes."""
    name = name.lower()
    if name == "content-security-policy":
        value = "; ".join(sorted(part.strip() for part in value.split(";") if part.strip()))
    return name, value


@functools.cache
def front_headers(*, scheme: str) -> tuple[tuple[str, str], ...] | None:
    """The headers (name, value) every page served under `scheme` gets from Django's
    middleware, besides the per-page ones; None if such a page is not answered 200
    (plain http under HTTPS redirects)."""
    factory = RequestFactory(HTTP_HOST=_host_allowed())
    request = factory.get("/", secure=scheme == "https")
    handler = _Probe()
    handler.load_middleware()
    # LocaleMiddleware activates a language in this thread: the request being stored
    # (whose thread this is) keeps its own.
    with translation.override(settings.LANGUAGE_CODE):
        response = handler.get_response(request)
    if response.status_code != 200:
        return None
    return tuple(
        sorted(
            _normal(name, value)
            for name, value in response.items()
            if name.lower() not in DROPPED_HEADERS | _PER_PAGE
        )
    )


def front_language(*, path: str) -> str:
    """The language of the page at `path`, from its prefix ("/ru/…"), as nginx tells it."""
    for code, _name in settings.LANGUAGES:
        prefix = language_prefix(language=code)
        if prefix and path.startswith(prefix + "/"):
            return code
    return settings.LANGUAGE_CODE


def front_file(*, url: str, headers: list[tuple[str, str]]) -> tuple[str, str] | None:
    """Where nginx finds the page cached for `url` ("http/example.org/about/", "html"),
    or None when nginx must not serve it by itself (headers it would not send, a type
    or an address it cannot map)."""
    parts = urlsplit(url)
    path = parts.path or "/"
    if (
        parts.scheme not in ("http", "https")
        or not _SAFE_HOST.fullmatch(parts.netloc)
        or ".." in parts.netloc
        or not _SAFE_PATH.fullmatch(path)
    ):
        return None
    by_name = {name.lower(): value for name, value in headers}
    extension = FRONT_TYPES.get(by_name.get("content-type", ""))
    if extension is None or by_name.get("content-language") != front_language(path=path):
        return None
    shared = tuple(
        sorted(_normal(name, value) for name, value in headers if name.lower() not in _PER_PAGE)
    )
    if shared != front_headers(scheme=parts.scheme):
        return None
    return f"{parts.scheme}/{parts.netloc}{path}", extension
