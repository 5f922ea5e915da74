import json

from django import template
from django.contrib.contenttypes.models import ContentType
from django.db.models import Q
from django.utils.safestring import mark_safe
from wagtail.models import Page, Site

from vigil.core.models import CampaignSettings
from vigil.news.models import UpdateIndexPage

register = template.Library()

_JSON_ESCAPES = {ord("<"): "\\u003C", ord(">"): "\\u003E", ord("&"): "\\u0026"}


@register.simple_tag(takes_context=True)
def site_chrome(context):
    """Menu pages and the updates index for the header and footer, once per request."""
    request = context.get("request")
    cached = getattr(request, "_vigil_chrome", None)
    if cached is not None:
        return cached
    site = Site.find_for_request(request) if request else None
    chrome = {"menu": [], "updates_index": None, "updates_url": None, "home": None}
    if site is not None:
        home = site.root_page
        campaign = CampaignSettings.for_request(request)
        footer_ids = {pk for pk in (campaign.about_page_id, campaign.privacy_page_id) if pk}
        # Menu, footer links and the updates index in one query.
        pages = list(
            Page.objects.live()
            .filter(
                Q(pk__in=footer_ids)
                | Q(
                    path__startswith=home.path,
                    depth=home.depth + 1,
                    show_in_menus=True,
                )
                | Q(
                    path__startswith=home.path,
                    depth=home.depth + 1,
                    content_type=ContentType.objects.get_for_model(UpdateIndexPage),
                )
            )
            .order_by("path")
            .specific(defer=True)
        )
        by_id = {p.pk: p for p in pages}
        # Fill the settings' foreign-key caches so the footer costs no query.
        campaign.about_page = by_id.get(campaign.about_page_id)
        campaign.privacy_page = by_id.get(campaign.privacy_page_id)
        chrome["home"] = home
        chrome["menu"] = [
            p
            for p in pages
            if p.show_in_menus and p.depth == home.depth + 1 and p.path.startswith(home.path)
        ]
        chrome["updates_index"] = next(
            (p for p in pages if isinstance(p, UpdateIndexPage) and p.path.startswith(home.path)),
            None,
        )
    if chrome["updates_index"] is not None:
        chrome["updates_url"] = chrome["updates_index"].get_url(request)
    current = context.get("page")
    current_path = getattr(current, "path", "")
    chrome["menu"] = [
        {
            "page": item,
            "url": item.get_url(request),
            "current": (
                "page"
                if current_path == item.path
                else "true"
                if current_path.startswith(item.path)
                else ""
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
