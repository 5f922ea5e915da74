from urllib.parse import quote, urlencode

from django.conf import settings
from django.core.paginator import EmptyPage, Paginator
from django.http import Http404
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from wagtail.models import Site

from vigil.core.services import pagination_links, request_client_ip, site_root_localised
from vigil.core.views import error_page
from vigil.ratelimits.services import ratelimit_hit, ratelimit_key

from .services import MAX_QUERY_LENGTH, pages_search, pages_with_card_fields, search_query_clean

RESULTS_PER_PAGE = 10


def search(request):
    site = Site.find_for_request(request)
    if site is None:
        raise Http404(_("This site is not configured."))
    query, truncated = search_query_clean(raw=request.GET.get("q", ""))
    limit, window = settings.SEARCH_RATE_LIMIT
    if query and not ratelimit_hit(
        key=ratelimit_key(scope="search", value=request_client_ip(request=request)),
        limit=limit,
        window_seconds=window,
    ):
        response = error_page(
            request,
            status=429,
            title=_("Too many searches"),
            message=_(
                "Too many searches have come from your connection. Please wait a minute "
                "and search again."
            ),
        )
        response["Retry-After"] = str(window)
        return response
    raw_page = request.GET.get("page", "1")
    if not raw_page.isdigit() or len(raw_page) > 6:
        raise Http404(_("There is no such page of results."))
    results = None
    page_links = []
    if query:
        paginator = Paginator(
            pages_search(query=query, site_root=site_root_localised(site=site, request=request)),
            RESULTS_PER_PAGE,
        )
        try:
            results = paginator.page(int(raw_page))
        except EmptyPage as exc:
            if int(raw_page) != 1:
                raise Http404(_("There is no such page of results.")) from exc
            results = paginator.page(1)
        # Date, summary and introduction of every page type in one query, not one per type.
        results.object_list = pages_with_card_fields(pages=list(results.object_list))
        page_links = pagination_links(
            listing=results,
            url_for=lambda n: "?" + urlencode({"q": query, "page": n}, quote_via=quote),
        )
    response = TemplateResponse(
        request,
        "search/search.html",
        {
            "search_query": query,
            "query_truncated": truncated,
            "max_query_length": MAX_QUERY_LENGTH,
            "results": results,
            "page_links": page_links,
        },
    )
    return response
