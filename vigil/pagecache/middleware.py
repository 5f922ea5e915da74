from django.conf import settings
from django.utils.cache import patch_cache_control


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
