"""Rendering the site's URLs in-process, as an anonymous reader would get them."""

from dataclasses import dataclass

from django.conf import settings
from django.core.handlers.base import BaseHandler
from django.core.signals import request_finished
from django.db import close_old_connections
from django.http import Http404
from django.test import RequestFactory
from django.utils import timezone
from wagtail.models import Site

from vigil.core.models import CampaignSettings
from vigil.core.views import MIRROR_ENVIRON_KEY


@dataclass(frozen=True)
class MirrorRendering:
    """What templates know while rendering for a copy (`mirror` in their context)."""

    main_url: str  # the live site's root, e.g. https://example.org
    made_at: object  # datetime of the export


@dataclass(frozen=True)
class Rendered:
    status: int
    content_type: str
    body: bytes
    location: str = ""


class SiteRenderer:
    """Runs requests through the full middleware stack without a server or a socket."""

    def __init__(self, *, site, made_at=None):
        self.site = site
        self.info = MirrorRendering(main_url=site.root_url, made_at=made_at or timezone.now())
        self._handler = BaseHandler()
        self._handler.load_middleware()
        self._factory = RequestFactory()
        self._host = site.hostname if site.port in (80, 443) else f"{site.hostname}:{site.port}"
        # Production redirects plain HTTP to HTTPS: ask as the live site is reached.
        self._secure = site.root_url.startswith("https:") or settings.SECURE_SSL_REDIRECT
        self._campaign = CampaignSettings.for_site(site)
        self._site_root_paths = Site.get_site_root_paths()

    def get(self, url: str, *, page=None, components: tuple[str, ...] = ()) -> Rendered:
        """The response to an anonymous GET of `url`.

        `page`: when the caller has loaded it already, the live public page (its specific
        instance) at `url`, or whose sub-route `components` (path parts) `url` leads to.
        Routing then starts from it rather than searching for it, as Wagtail's routing
        would lead to it anyway.
        """
        request = self._factory.get(
            url,
            secure=self._secure,
            HTTP_HOST=self._host,
            HTTP_ACCEPT_LANGUAGE="",
            **{MIRROR_ENVIRON_KEY: self.info},
        )
        # Every address is on this one site: what Wagtail would find for it, found once.
        request._wagtail_site = self.site
        request._wagtail_cached_site_root_paths = self._site_root_paths
        # The same settings on every page; each request gets its own copy, as pages
        # fill its links in their language.
        # (Model.__getstate__ is what copy.copy would use, without its detour through
        # pickling's model lookup: a copy whose related-object cache is its own.)
        campaign = object.__new__(type(self._campaign))
        campaign.__dict__.update(self._campaign.__getstate__())
        campaign._request = request
        setattr(request, campaign.get_cache_attr_name(), campaign)
        if page is not None:
            try:
                request._wagtail_route_for_request = page.route(request, list(components))
            except Http404:
                request._wagtail_route_for_request = None
        response = self._handler.get_response(request)
        # Closing a response signals the end of a request, which closes the database
        # connection when CONN_MAX_AGE is 0 (SQLite): reopening it for every page
        # (with its PRAGMAs) cost a few milliseconds each.
        request_finished.disconnect(close_old_connections)
        try:
            body = b"".join(response.streaming_content) if response.streaming else response.content
            return Rendered(
                status=response.status_code,
                content_type=response.get("Content-Type", ""),
                body=body,
                location=response.get("Location", ""),
            )
        finally:
            response.close()
            request_finished.connect(close_old_connections)
