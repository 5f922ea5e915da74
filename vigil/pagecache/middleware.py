from django.conf import settings
from django.http import QueryDict
from django.utils.cache import patch_cache_control

from vigil.core.dependencies import EVERY_PARAMETER, query_parameters_use


class _RecordingQueryDict(QueryDict):
    """request.GET that tells the page cache which parameters the page read.

    Reading one name (get, [], getlist, in) records it, present or not; reading the
    whole query string (iterating, copying, encoding it) records that every parameter
    matters. Asking whether there is a query string at all records nothing.
    """

    def __getitem__(self, key):
        query_parameters_use(key)
        return super().__getitem__(key)

    def __contains__(self, key):
        query_parameters_use(key)
        return super().__contains__(key)

    def get(self, key, default=None):
        query_parameters_use(key)
        return super().get(key, default)

    def getlist(self, key, default=None):
        query_parameters_use(key)
        return super().getlist(key, default)

    def _whole(self):
        query_parameters_use(EVERY_PARAMETER)

    def __iter__(self):
        self._whole()
        return super().__iter__()

    def keys(self):
        self._whole()
        return super().keys()

    def items(self):
        self._whole()
        return super().items()

    def values(self):
        self._whole()
        return super().values()

    def lists(self):
        self._whole()
        return super().lists()

    def dict(self):
        self._whole()
        return super().dict()

    def copy(self):
        self._whole()
        return super().copy()

    def urlencode(self, safe=None):
        self._whole()
        return super().urlencode(safe)


class QueryParametersMiddleware:
    """Record which query parameters a page reads (collect.parameters_collecting), so
    the page cache can answer the same page whatever else is in the address."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method in ("GET", "HEAD"):
            request.GET.__class__ = _RecordingQueryDict
        return self.get_response(request)


class CacheHeadersMiddleware:
    """Cache-Control on every response Django makes (cached pages get theirs in wsgi.py).

    Anything tied to one person (a session, a CSRF token, a cookie being set, a form
    answer) is private and never stored; other GET answers may be kept by a CDN or a
    protective proxy for PAGE_CACHE_SHARED_MAX_AGE seconds.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if response.has_header("Cache-Control"):
            return response
        session = getattr(request, "session", None)
        personal = (
            request.method not in ("GET", "HEAD")
            or response.status_code >= 500
            or bool(response.cookies)
            or request.META.get("CSRF_COOKIE_NEEDS_UPDATE")
            or (session is not None and session.accessed)
            or "cookie" in response.get("Vary", "").lower()
        )
        if personal:
            patch_cache_control(response, private=True, no_store=True)
        else:
            patch_cache_control(
                response,
                public=True,
                max_age=0,
                must_revalidate=True,
                s_maxage=settings.PAGE_CACHE_SHARED_MAX_AGE,
            )
        return response
