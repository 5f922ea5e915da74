"""Old WordPress addresses that live in the query string (`/?p=123`, `/?page_id=7`).

Wagtail's RedirectMiddleware only looks for a redirect when the page answers
404, but `/?p=123` is the home page with a query string and answers 200. So
these addresses are looked up before the page is served, and only when the
query string has one of WordPress's keys: other requests cost nothing.
"""

from django.http import HttpRequest
from wagtail.contrib.redirects.middleware import get_redirect
from wagtail.contrib.redirects.models import Redirect

WORDPRESS_QUERY_KEYS = ("p", "page_id", "attachment_id")


def query_redirect_find(*, request: HttpRequest) -> Redirect | None:
    """The redirect stored for a WordPress `?p=`-style address, if this request is one."""
    if request.method not in ("GET", "HEAD"):
        return None
    for key in WORDPRESS_QUERY_KEYS:
        value = request.GET.get(key, "")
        if value.isdigit() and len(value) <= 20:
            # Other parameters (utm_source, replytocom…) do not change the post.
            path = Redirect.normalise_path(f"{request.path}?{key}={value}", decode_unicode=False)
            redirect = get_redirect(request, path)
            if redirect is not None and redirect.link:
                return redirect
    return None
