"""Serve cached public pages before Django's middleware, and fill the cache on a miss.

A hit costs one file read: no URL resolution, no session, no template, no query. Only
anonymous GET and HEAD requests are answered from the cache; anything personal (a
session, a CSRF token, a cookie being set) is never stored. Responses carry an ETag and
a Cache-Control header a CDN can use.

Query strings: a cached page records the parameters it reads (middleware.py, or
collect.query_parameters_use), and any other parameter is ignored: `/updates/?r=123`
or `?utm_source=x` gets the cached `/updates/`. An address whose query string the page
does use (a search, a filter, an old WordPress link) is rendered and not stored (free
text would let anyone fill the disk), and such renders are limited per IP address
(PAGE_CACHE_QUERY_RATE_LIMIT), refused with 429 here, before Django.
"""

import email.utils
import hashlib
import logging
import re
import time
from collections.abc import Iterable
from http.cookies import SimpleCookie
from urllib.parse import parse_qsl, urlencode

import brotli
from django.conf import settings
from django.db import DatabaseError, close_old_connections, connection
from django.utils.text import compress_string
from django.utils.translation import gettext as _

from vigil.core.dependencies import EVERY_PARAMETER, collecting, parameters_collecting
from vigil.core.services import request_client_ip
from vigil.ratelimits.services import ratelimit_hit, ratelimit_key

from . import store
from .services import page_cache_key, page_cache_root, page_cache_store

# Content worth caching: pages, feeds, sitemaps, case exports. Documents and images
# are files with their own caching (WhiteNoise, media server).
_CACHEABLE_TYPES = (
    "text/html",
    "text/plain",
    "text/calendar",
    "text/csv",
    "application/rss+xml",
    "application/atom+xml",
    "application/xml",
    "text/xml",
    "application/json",
    "application/ld+json",
    "image/svg+xml",
)
_MAX_BODY = 4 * 1024 * 1024
_REASONS = {200: "OK", 304: "Not Modified"}
logger = logging.getLogger(__name__)


def private_cookie_names() -> set[str]:
    return {settings.SESSION_COOKIE_NAME, "messages"}


def cache_control_public(*, expires: float, now: float) -> str:
    shared = max(0, min(settings.PAGE_CACHE_SHARED_MAX_AGE, int(expires - now)))
    # Browsers check back every time (an ETag makes that a 304); a CDN or protective
    # proxy may keep the page for a while and serve it stale if Vigil is down.
    return f"public, max-age=0, must-revalidate, s-maxage={shared}, stale-if-error=86400"


# Parameters every page depends on, registered by the apps that read them before any
# page is served: an old WordPress address (`/?p=123`) is a redirect vigil/wordpress
# finds (its apps.py). The page cache sits below that tool and cannot import it.
QUERY_PARAMETERS_EVERYWHERE: set[str] = set()


def page_cache_query_parameters_everywhere_add(*, names: Iterable[str]) -> None:
    """Every page depends on these query parameters (its cached copy is keyed by them)."""
    QUERY_PARAMETERS_EVERYWHERE.update(names)


def query_normalise(*, query: str, parameters: Iterable[str]) -> str | None:
    """The part of `query` a page that reads `parameters` depends on, in a fixed order
    ("" when it depends on none of it); None when the page reads its whole query string
    and so depends on all of it."""
    parameters = set(parameters)
    pairs = parse_qsl(query, keep_blank_values=True)
    if EVERY_PARAMETER in parameters:
        return None if pairs else ""
    wanted = parameters | QUERY_PARAMETERS_EVERYWHERE
    # A stable sort by name: the values of one name keep their order (getlist).
    kept = sorted(((k, v) for k, v in pairs if k in wanted), key=lambda pair: pair[0])
    return urlencode(kept)


def _request_url(environ) -> str | None:
    """The address a cached page is stored under, without its query string, or None if
    it must not be cached."""
    if environ.get("REQUEST_METHOD") not in ("GET", "HEAD"):
        return None
    cookie = environ.get("HTTP_COOKIE")
    if cookie:
        try:
            names = set(SimpleCookie(cookie).keys())
        except Exception:
            return None
        if names & private_cookie_names():
            return None
    scheme = environ.get("wsgi.url_scheme", "http")
    proxy = getattr(settings, "SECURE_PROXY_SSL_HEADER", None)
    if proxy and environ.get(proxy[0]) == proxy[1]:
        scheme = "https"
    host = (environ.get("HTTP_HOST") or environ.get("SERVER_NAME", "")).lower()
    path = environ.get("SCRIPT_NAME", "") + environ.get("PATH_INFO", "")
    return f"{scheme}://{host}{path}"


def _coding(environ) -> str:
    """The encoding a stored page is answered in: brotli, else gzip, as accepted."""
    if _accepts(environ, "br"):
        return "br"
    if _accepts(environ, "gzip"):
        return "gzip"
    return "identity"


def _accepts(environ, coding: str) -> bool:
    for part in environ.get("HTTP_ACCEPT_ENCODING", "").split(","):
        name, _, params = part.strip().partition(";")
        if name.strip().lower() == coding:
            return params.replace(" ", "") not in ("q=0", "q=0.0", "q=0.00", "q=0.000")
    return False


def _pass(environ, start_response, status: str, headers, result, exc_info):
    """A public GET not stored (it sets a CSRF cookie, reads a query, is not found):
    compressed like a stored page when Django answered it whole."""
    streaming = getattr(result, "streaming", True)  # a file or a stream: sent as it comes
    if streaming or environ["REQUEST_METHOD"] == "HEAD" or exc_info:
        start_response(status, headers, exc_info)
        return result
    try:
        body = b"".join(result)
    finally:
        if hasattr(result, "close"):
            result.close()
    headers, body = _response_encode(environ=environ, headers=list(headers), body=body)
    start_response(status, headers)
    return [body]


# Below this a compressed body is hardly smaller, and costs a round of work either way.
_ENCODE_MIN_BYTES = 256


def _response_encode(*, environ, headers: list, body: bytes) -> tuple[list, bytes]:
    """`body` compressed with brotli, else gzip, as the browser accepts, for text types;
    with Content-Length and Vary set. Only public GETs come here: a form's answer to a
    POST (what a person typed beside a CSRF token) stays uncompressed, against BREACH;
    the GET forms' CSRF tokens are masked afresh on every response."""
    names = {name.lower(): value for name, value in headers}
    content_type = names.get("content-type", "").split(";")[0].strip().lower()
    coding = _coding(environ)
    if (
        len(body) < _ENCODE_MIN_BYTES
        or "content-encoding" in names
        or content_type not in _CACHEABLE_TYPES
    ):
        coding = "identity"
    elif coding == "br":
        body = brotli.compress(body, quality=5)
    elif coding == "gzip":
        body = compress_string(body)  # Django's, with its BREACH padding
    kept = [(k, v) for k, v in headers if k.lower() not in ("content-length", "vary")]
    vary = [v for k, v in headers if k.lower() == "vary"]
    if content_type in _CACHEABLE_TYPES and not any("accept-encoding" in v.lower() for v in vary):
        vary.append("Accept-Encoding")
    if vary:
        kept.append(("Vary", ", ".join(vary)))
    if coding != "identity":
        # The ETag names the uncompressed body: weak, as Django's GZipMiddleware makes it.
        kept = [
            (k, "W/" + v if k.lower() == "etag" and not v.startswith("W/") else v) for k, v in kept
        ]
        kept.append(("Content-Encoding", coding))
    kept.append(("Content-Length", str(len(body))))
    return kept, body


def _not_modified(environ, entry: store.Entry) -> bool:
    match = environ.get("HTTP_IF_NONE_MATCH")
    if match is not None:
        return match.strip() == "*" or entry.etag in [
            m.strip().removeprefix("W/") for m in match.split(",")
        ]
    since = environ.get("HTTP_IF_MODIFIED_SINCE")
    if not since:
        return False
    # Compared with the Last-Modified the browser was given (the render's start, or the
    # page's own date), not the time the file was written: a render that crossed a
    # second boundary would otherwise never be answered 304 by date.
    modified = next((v for k, v in entry.headers if k.lower() == "last-modified"), None)
    try:
        last = email.utils.parsedate_to_datetime(modified) if modified else None
        return email.utils.parsedate_to_datetime(since).timestamp() >= (
            last.timestamp() if last else int(entry.stored)
        )
    except (TypeError, ValueError):
        return False


class PageCacheApp:
    def __init__(self, application):
        self.application = application

    def __call__(self, environ, start_response):
        answer = self.cached_answer(environ)
        if answer is not None:
            status, headers, body = answer
            start_response(f"{status} {_REASONS[status]}", headers)
            return [body] if body else []
        root = page_cache_root()
        url = _request_url(environ) if root is not None else None
        if url is None:
            return self.application(environ, start_response)
        if (
            environ.get("QUERY_STRING")
            and not _query_unlimited(environ)
            and not _query_render_allowed(environ)
        ):
            return _too_many(start_response)
        return self._miss(environ, start_response, url, time.time())

    def cached_answer(self, environ) -> tuple[int, list[tuple[str, str]], bytes] | None:
        """The cached answer (status, headers, body) to this request, or None.

        Only reads a file: the server front (vigil/core/server.py) calls it on its event
        loop, so cached pages never wait for a thread.
        """
        root = page_cache_root()
        url = _request_url(environ) if root is not None else None
        if url is None:
            return None
        now = time.time()
        entry = store.entry_read(root, page_cache_key(url=url), now)
        if entry is None:
            return None
        query = environ.get("QUERY_STRING", "")
        if query and query_normalise(query=query, parameters=entry.parameters) != "":
            return None  # the page uses this query string: rendered (and limited)
        return self._hit(environ, entry, now)

    def _hit(self, environ, entry: store.Entry, now: float):
        headers = list(entry.headers) + [
            ("ETag", entry.etag),
            ("Cache-Control", cache_control_public(expires=entry.expires, now=now)),
            ("Vary", "Accept-Encoding"),
            ("X-Vigil-Cache", "hit"),
        ]
        if _not_modified(environ, entry):
            keep = {"etag", "cache-control", "vary", "last-modified", "x-vigil-cache"}
            return 304, [h for h in headers if h[0].lower() in keep], b""
        coding = _coding(environ)
        body = entry.bodies[coding]
        if coding != "identity":
            headers.append(("Content-Encoding", coding))
        headers.append(("Content-Length", str(len(body))))
        return 200, headers, b"" if environ["REQUEST_METHOD"] == "HEAD" else body

    def _miss(self, environ, start_response, url: str, now: float):
        captured = {}

        def capture(status, headers, exc_info=None):
            captured.update(status=status, headers=headers, exc_info=exc_info)
            return lambda data: None  # Django never uses write().

        with collecting() as tags, parameters_collecting() as parameters:
            result = self.application(environ, capture)
        status, headers = captured["status"], captured["headers"]
        query = environ.get("QUERY_STRING", "")
        if not self._storable(environ, status, headers) or (
            query and query_normalise(query=query, parameters=parameters) != ""
        ):
            return _pass(environ, start_response, status, headers, result, captured["exc_info"])
        try:
            body = b"".join(result)
            if len(body) > _MAX_BODY:
                start_response(status, headers)
                return [body]
            etag = f'"{hashlib.sha256(body).hexdigest()[:32]}"'
            # Encoded once: stored, and answered to this first reader as to the next.
            bodies = store.bodies_encode(body)
            kept = [(k, v) for k, v in headers if k.lower() not in store.DROPPED_HEADERS]
            if not any(k.lower() == "last-modified" for k, _ in kept):
                kept.append(("Last-Modified", email.utils.formatdate(now, usegmt=True)))
            try:
                expires = page_cache_store(
                    url=url,
                    tags=tags,
                    headers=kept,
                    etag=etag,
                    body=body,
                    render_started=now,
                    parameters=parameters,
                    bodies=bodies,
                )
            except Exception:
                # A full disk or a locked database must not cost the reader the page.
                logger.exception("page cache: could not store %s", url)
                expires = None
        finally:
            # Django's request_finished (closing the database connection) runs here,
            # after the store's queries.
            if hasattr(result, "close"):
                result.close()
        out = kept + [
            ("Cache-Control", cache_control_public(expires=expires or now, now=now)),
            ("Vary", "Accept-Encoding"),
            ("X-Vigil-Cache", "miss" if expires else "pass"),
        ]
        coding = _coding(environ)
        answer = bodies[coding]
        if coding != "identity":
            out.append(("Content-Encoding", coding))
        # The same ETag in every encoding, as a hit answers it.
        start_response(status, out + [("ETag", etag), ("Content-Length", str(len(answer)))])
        return [] if environ["REQUEST_METHOD"] == "HEAD" else [answer]

    @staticmethod
    def _storable(environ, status: str, headers) -> bool:
        if not status.startswith("200") or environ.get("CSRF_COOKIE_NEEDS_UPDATE"):
            return False
        if environ["REQUEST_METHOD"] != "GET":
            return False
        content_type = ""
        for name, value in headers:
            lower = name.lower()
            if lower == "set-cookie":
                return False
            if lower == "cache-control" and _cache_control_own(value):
                return False
            if lower == "vary" and "cookie" in value.lower():
                return False
            if lower == "content-type":
                content_type = value.split(";")[0].strip().lower()
        return content_type in _CACHEABLE_TYPES


_MAX_AGE = re.compile(r"(?:^|,)\s*max-age=(\d+)")


def _cache_control_own(value: str) -> bool:
    """Whether a view's Cache-Control asks for what a stored page cannot give: privacy, or
    a browser lifetime of its own (a partner's widget, kept for a day), which the cache's
    answers (max-age=0 and an ETag) would take away. Such answers are passed on as made."""
    value = value.lower()
    if any(word in value for word in ("private", "no-store", "no-cache")):
        return True
    match = _MAX_AGE.search(value)
    return match is not None and int(match.group(1)) > 0


class _Meta:
    """What request_client_ip reads of a request (its META), before Django builds one."""

    def __init__(self, environ):
        self.META = environ


def query_render(environ) -> bool:
    """True for a request that makes a public page render for its query string (the
    kind a flood of searches is made of): counted per address, and the server front
    lets only some of its threads render them at once (vigil/core/server.py)."""
    return (
        bool(environ.get("QUERY_STRING"))
        and _request_url(environ) is not None
        and not _query_unlimited(environ)
    )


def _query_unlimited(environ) -> bool:
    """Files and the admin's sign-in are not pages: their query strings (the admin's
    `?v=` on static files, `?next=`) are not counted."""
    path = environ.get("PATH_INFO", "")
    return path.startswith((settings.STATIC_URL, settings.MEDIA_URL, "/admin/"))


def _query_render_allowed(environ) -> bool:
    """Count a render for a query string against the reader's address (429 beyond)."""
    limit, window = settings.PAGE_CACHE_QUERY_RATE_LIMIT
    address = request_client_ip(request=_Meta(environ))
    try:
        return ratelimit_hit(
            key=ratelimit_key(scope="page-query", value=address),
            limit=limit,
            window_seconds=window,
        )
    except DatabaseError:
        return True  # the page itself then answers 503 with the database's reason
    finally:
        # Outside Django's request cycle: close the connection as a request would, but
        # never inside a transaction the caller holds (a test's, under Django's test
        # client rules), which closing would end.
        if not connection.in_atomic_block:
            close_old_connections()


def _too_many(start_response):
    body = _(
        "Too many requests for searches and filtered pages have come from your "
        "connection. Please wait a minute and try again."
    ).encode()
    start_response(
        "429 Too Many Requests",
        [
            ("Content-Type", "text/plain; charset=utf-8"),
            ("Content-Length", str(len(body))),
            ("Retry-After", str(settings.PAGE_CACHE_QUERY_RATE_LIMIT[1])),
            ("Cache-Control", "private, no-store"),
            ("X-Content-Type-Options", "nosniff"),
        ],
    )
    return [body]
