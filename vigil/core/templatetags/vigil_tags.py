import json

from django import template
from django.utils.safestring import mark_safe
from wagtail.models import Site

register = template.Library()

_JSON_ESCAPES = {ord("<"): "\\u003C", ord(">"): "\\u003E", ord("&"): "\\u0026"}


@register.simple_tag(takes_context=True)
def site_chrome(context):
    """Menu pages and the updates index for the header and footer, once per request."""
    from vigil.news.models import UpdateIndexPage

    request = context.get("request")
    cached = getattr(request, "_vigil_chrome", None)
    if cached is not None:
        return cached
    site = Site.find_for_request(request) if request else None
    chrome = {"menu": [], "updates_index": None, "updates_url": None, "home": None}
    if site is not None:
        home = site.root_page
        children = list(home.get_children().live().public().in_menu().specific(defer=True))
        chrome["home"] = home
        chrome["menu"] = children
        chrome["updates_index"] = next(
            (p for p in children if isinstance(p, UpdateIndexPage)), None
        ) or UpdateIndexPage.objects.live().child_of(home).first()
    if chrome["updates_index"] is not None:
        chrome["updates_url"] = chrome["updates_index"].get_url(request)
    current = context.get("page")
    current_path = getattr(current, "path", "")
    chrome["menu"] = [
        {
            "page": item,
            "url": item.get_url(request),
            "current": (
                "page" if current_path == item.path
                else "true" if current_path.startswith(item.path) else ""
            ),
        }
        for item in chrome["menu"]
    ]
    if request is not None:
        request._vigil_chrome = chrome
    return chrome


@register.filter
def json_ld(data) -> str:
    """A JSON-LD block. A data block, not a script: a strict CSP does not forbid it."""
    payload = json.dumps(data, ensure_ascii=False, default=str).translate(_JSON_ESCAPES)
    return mark_safe(f'<script type="application/ld+json">{payload}</script>')  # noqa: S308


@register.simple_tag(takes_context=True)
def absolute(context, url: str) -> str:
    request = context.get("request")
    return request.build_absolute_uri(url) if request else url


@register.filter
def url_host(url: str) -> str:
    """The host part of a URL, for telling readers where a link leads."""
    from urllib.parse import urlsplit

    return urlsplit(str(url)).hostname or ""
