"""Old WordPress addresses that a stored redirect row alone does not answer.

`/?p=123`, `/?page_id=7`: Wagtail's RedirectMiddleware only looks for a redirect
when the page answers 404, but `/?p=123` is the home page with a query string and
answers 200. So these addresses are looked up before the page is served, and only
when the query string has one of WordPress's keys: other requests cost nothing.

`/wp-content/uploads/2022/03/photo-300x200.jpg`: WordPress made resized copies of
every image, in sizes that themes chose, and posts linked to them. Only the original
is imported (with its redirect), so a resized copy's address that answers 404 is
looked up under its original's name.
"""

import re

from django.http import HttpRequest
from wagtail.contrib.redirects.middleware import get_redirect
from wagtail.contrib.redirects.models import Redirect

WORDPRESS_QUERY_KEYS = ("p", "page_id", "attachment_id")
# WordPress names a resized copy <name>-<width>x<height>.<extension>; an image larger
# than its "big image" threshold is stored as <name>-scaled.<extension>, and its
# resized copies are named after <name>.
_RESIZED = re.compile(r"^(?P<stem>.*/wp-content/uploads/.+)-\d{1,5}x\d{1,5}(?P<ext>\.\w{1,5})$")


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


def resized_upload_redirect_find(*, request: HttpRequest) -> Redirect | None:
    """The redirect of the original image, if this request is for a resized copy of it."""
    if request.method not in ("GET", "HEAD"):
        return None
    match = _RESIZED.match(request.path)
    if match is None:
        return None
    for original in (match["stem"] + match["ext"], match["stem"] + "-scaled" + match["ext"]):
        redirect = get_redirect(request, Redirect.normalise_path(original, decode_unicode=False))
        if redirect is not None and redirect.link:
            return redirect
    return None
