"""Shared page logic: turning reference markers into footnote links."""

import ipaddress
import logging
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import nh3
from django.conf import settings
from django.utils.html import format_html
from django.utils.translation import get_language, gettext

from .snapshot import snapshot_memo, snapshot_whole_site

logger = logging.getLogger(__name__)
_TAG_OR_TEXT = re.compile(r"(<[^>]*>)")
_MARKER = re.compile(r"\[(\d{1,3})\]")


@dataclass
class CitedBody:
    html: str
    # reference number -> anchor ids of every place in the text that cites it
    citations: dict[int, list[str]] = field(default_factory=dict)


def body_link_references(*, html: str, reference_count: int) -> CitedBody:
    """Replace `[n]` markers in rendered body HTML with footnote links.

    Markers inside existing links, or numbered beyond the page's references,
    are left as typed, so a stray "[2022]" in a quotation never becomes a link.
    """
    citations: dict[int, list[str]] = {}
    inside_link = 0
    parts = []
    for chunk in _TAG_OR_TEXT.split(html):
        if chunk.startswith("<"):
            lowered = chunk[:3].lower()
            if lowered.startswith("<a ") or lowered == "<a>":
                inside_link += 1
            elif lowered.startswith("</a"):
                inside_link = max(0, inside_link - 1)
            parts.append(chunk)
        elif inside_link or "[" not in chunk:
            parts.append(chunk)
        else:
            parts.append(_MARKER.sub(lambda m: _marker(m, reference_count, citations), chunk))
    return CitedBody(html="".join(parts), citations=citations)


def _marker(match: re.Match, reference_count: int, citations: dict[int, list[str]]) -> str:
    number = int(match.group(1))
    if not 1 <= number <= reference_count:
        return match.group(0)
    anchors = citations.setdefault(number, [])
    anchor = f"cite-{number}-{len(anchors) + 1}"
    anchors.append(anchor)
    return format_html(
        '<sup class="ref-marker"><a href="#ref-{}" id="{}" aria-label="{}">[{}]</a></sup>',
        number,
        anchor,
        gettext("Reference %(number)s") % {"number": number},
        number,
    )


# The token editors write in any body for the live day count of the featured case: it
# is part of the body text's format, which news teasers read and the cases app fills in
# (cases.services.body_insert_day_count, registered as a body filter).
DAY_COUNT_TOKEN = "[[days]]"

# What html_sanitise keeps: rich text as a page shows it (Wagtail's stored format, with its
# data attributes and embeds, is STORED_RICH_TEXT_TAGS below).
SANITISED_HTML_TAGS = {"p", "a", "b", "i", "strong", "em", "ul", "ol", "li", "br", "h2", "h3"}


def html_sanitise(*, html: str) -> str:
    """Rich text reduced to what the editor itself can produce.

    Wagtail's `|richtext` filter trusts what is stored, so anything that did
    not come through the editor (loaders, imports, APIs) passes here first.
    """
    return nh3.clean(
        html,
        tags=SANITISED_HTML_TAGS,
        attributes={"a": {"href"}},
        url_schemes={"http", "https", "mailto"},
        link_rel=None,
        strip_comments=True,
    )


# What Wagtail's editor stores (its "database format"): block tags with a key, inline
# styles, links (external by href, internal by linktype and id) and embeds by id.
_STORED_BLOCK_TAGS = {"p", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "li", "blockquote"}
STORED_RICH_TEXT_TAGS = _STORED_BLOCK_TAGS | {
    "a", "b", "i", "strong", "em", "br", "hr", "code", "sup", "sub", "s", "embed",
}  # fmt: skip
STORED_RICH_TEXT_ATTRIBUTES = {
    **{tag: {"data-block-key"} for tag in _STORED_BLOCK_TAGS},
    "a": {"href", "linktype", "id"},
    "embed": {"embedtype", "id", "format", "alt", "url"},
}


_EMBED_TAG = re.compile(r"<embed(\b[^>]*?)\s*/?>")


def richtext_stored_clean(*, html: str) -> str:
    """Rich text in Wagtail's stored format with anything else removed.

    The editor's own output passes unchanged; a crafted form post (raw HTML instead of
    the editor's JSON, `<script>`, `onerror=`, `javascript:` links) is cleaned before it
    is stored, since `|richtext` renders what is stored as it is.
    """
    cleaned = nh3.clean(
        html,
        tags=STORED_RICH_TEXT_TAGS,
        attributes=STORED_RICH_TEXT_ATTRIBUTES,
        url_schemes={"http", "https", "mailto", "tel"},
        link_rel=None,
        strip_comments=True,
    )
    # nh3 writes `<embed …>`; Wagtail finds embeds only as `<embed …/>`.
    return _EMBED_TAG.sub(r"<embed\1/>", cleaned)


def request_client_ip(*, request) -> str:
    """The reader's IP address, for rate limits and sign-in limits.

    Behind VIGIL_PROXY_COUNT trusted reverse proxies (each appends the address it saw to
    X-Forwarded-For), the address the outermost one saw; entries before it are whatever
    the client sent and are ignored. Without proxies, the connection's address: otherwise
    every reader would share the proxy's, and one would stand for all. With
    VIGIL_TRUSTED_PROXIES, only a connection from one of them has its header believed.
    """
    remote = request.META.get("REMOTE_ADDR", "")
    proxies = getattr(settings, "VIGIL_PROXY_COUNT", 0)
    if proxies < 1 or not _proxy_trusted(remote=remote):
        return remote
    hops = [h.strip() for h in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    hops = [h for h in hops if h]
    if len(hops) < proxies:
        _proxy_mismatch_warn(hops=len(hops), proxies=proxies)
        return remote
    return hops[-proxies][:45]


def _proxy_trusted(*, remote: str) -> bool:
    networks = getattr(settings, "VIGIL_TRUSTED_PROXIES", None)
    if not networks:
        return True
    try:
        address = ipaddress.ip_address(remote)
    except ValueError:
        return False
    return any(address in ipaddress.ip_network(net, strict=False) for net in networks)


_proxy_warned_at = 0.0


def _proxy_mismatch_warn(*, hops: int, proxies: int) -> None:
    """A request that passed fewer proxies than configured: PROXY_COUNT is too high, or
    the server is reachable around the proxy. Said at most once a minute."""
    global _proxy_warned_at
    now = time.monotonic()
    if now - _proxy_warned_at < 60:
        return
    _proxy_warned_at = now
    logger.warning(
        "A request came through %s proxies, but PROXY_COUNT is %s: limits use the "
        "connection's address for it. Check PROXY_COUNT, and that the server cannot be "
        "reached around the proxy.",
        hops,
        proxies,
    )


def axes_client_ip(request) -> str:
    """django-axes' AXES_CLIENT_IP_CALLABLE: the same address as every other limit."""
    return request_client_ip(request=request)


def pagination_links(*, listing, url_for: Callable[[int], str]) -> list[dict]:
    """Numbered links for a paginated listing, gaps elided (1 2 … 7 8 9 … 20)."""
    links = []
    for number in listing.paginator.get_elided_page_range(listing.number, on_each_side=2):
        if number == listing.paginator.ELLIPSIS:
            links.append({"ellipsis": True})
        else:
            # Every key the template asks of a link: a missing one costs an exception.
            links.append(
                {
                    "number": number,
                    "url": url_for(number),
                    "current": number == listing.number,
                    "ellipsis": False,
                }
            )
    return links


def page_source(*, page):
    """The default-language version of a page: the one snippets (events, statements,
    signatures) are attached to. The page itself when the default language is active.
    """
    if page is None or (get_language() or settings.LANGUAGE_CODE) == settings.LANGUAGE_CODE:
        return page
    source = (
        type(page)
        .objects.filter(
            translation_key=page.translation_key, locale__language_code=settings.LANGUAGE_CODE
        )
        .first()
    )
    return source or page


def page_localised(*, page):
    """The live version of `page` in the active language, else `page` itself: what a
    reader of that language sees of a page that a field links to (links follow the
    original). No query in the default language, one in the others.
    """
    language = get_language() or settings.LANGUAGE_CODE
    # Links point to originals, which are in the default language.
    if page is None or language == settings.LANGUAGE_CODE:
        return page
    translation = (
        type(page)
        .objects.filter(
            translation_key=page.translation_key, locale__language_code=language, live=True
        )
        .first()
    )
    return translation or page


def page_route_find(*, request, path: str):
    """Wagtail's route for `path` (page, args, kwargs) in the active language, in two queries.

    Wagtail finds the language's home (a query for the locale, one for the translation,
    one for its specific page) and then the page (one query, one for its specific page).
    Here the deepest page whose url_path matches, below the language's home (or the
    site's root when that language has none live), is found in one query and its
    specific page in another; that page routes the rest of the path (sub-routes of
    routable pages) exactly as it would under Wagtail's own routing. Raises Http404
    when nothing matches. Returns None when no site serves the request.
    """
    from django.db.models import Q, Subquery, TextField, Value
    from django.db.models.functions import Coalesce, Concat
    from django.http import Http404
    from wagtail.models import Page, Site

    site = Site.find_for_request(request)
    if site is None:
        return None
    root = site.root_page
    language = get_language() or settings.LANGUAGE_CODE
    components = [component for component in path.split("/") if component]
    if not components:
        home = (
            root.specific_class.objects.live()
            .filter(translation_key=root.translation_key, locale__language_code=language)
            .first()
        ) or root.specific
        return home.route(request, [])
    relative = ["/".join(components[:n]) + "/" for n in range(len(components), 0, -1)]
    # url_path starts with the home's own, so each candidate is the language home's
    # url_path (a subquery) followed by the path's components.
    text = TextField()
    home_url_path = Coalesce(
        Subquery(
            Page.objects.live()
            .filter(translation_key=root.translation_key, locale__language_code=language)
            .values("url_path")[:1]
        ),
        Value(root.url_path, output_field=text),
        output_field=text,
    )
    match = Q()
    for candidate in relative:
        match |= Q(url_path=Concat(home_url_path, Value(candidate), output_field=text))
    page = Page.objects.filter(match).order_by("-depth").first()
    if page is None or page.depth <= root.depth:
        raise Http404
    return _page_specific(page).route(request, components[page.depth - root.depth :])


def _page_specific(page):
    """`page.specific` in one query, with what its type names in `route_select_related`
    (a case page's photo) joined in: each would cost a query of its own as the page renders."""
    model = page.specific_class
    related = getattr(model, "route_select_related", ())
    if not related or isinstance(page, model):
        return page.specific
    return model.objects.select_related(*related).get(pk=page.pk)


def page_references(*, page) -> list:
    """The sources a page cites (`references`), in order, with their library documents.

    Rendering the whole site (snapshot_reads), those of every page of its type are
    loaded at once.
    """
    if not snapshot_whole_site():
        return list(page.references.select_related("document"))
    model = page.references.model

    def load():
        by_page: dict[int, list] = {}
        for reference in model.objects.select_related("document").order_by("page_id", "sort_order"):
            by_page.setdefault(reference.page_id, []).append(reference)
        return by_page

    return list(snapshot_memo(("references", model._meta.label), load).get(page.pk, []))


def page_view_restrictions(*, page):
    """The view restrictions that apply to `page`, in one query (Wagtail takes two, and
    one more per alias among the page and its ancestors).

    As Wagtail's `Page.get_view_restrictions`: those on the page and on each ancestor,
    taking an alias's original instead of the alias (an alias of an alias: the original
    of the original).
    """
    from django.db.models import Q
    from wagtail.models import Page, PageViewRestriction

    steplen = Page.steplen
    chain = Page.objects.filter(
        path__in=[page.path[: steplen * depth] for depth in range(1, page.depth + 1)]
    )
    originals = Page.objects.filter(pk__in=chain.values("alias_of_id"))
    return PageViewRestriction.objects.filter(
        Q(page__in=chain.filter(alias_of__isnull=True).values("pk"))
        | Q(page__in=originals.filter(alias_of__isnull=True).values("pk"))
        | Q(page__in=originals.values("alias_of_id"))
    )


def page_source_id(*, page):
    """The id of `page_source(page=page)`, as a value or, in another language, as an SQL
    expression: filtering on it (`case_id=...`) finds the default-language version in the
    same query instead of one more.
    """
    if page is None or (get_language() or settings.LANGUAGE_CODE) == settings.LANGUAGE_CODE:
        return getattr(page, "pk", None)
    from django.db.models import Subquery, Value
    from django.db.models.functions import Coalesce

    source = type(page).objects.filter(
        translation_key=page.translation_key, locale__language_code=settings.LANGUAGE_CODE
    )
    pk_field = page._meta.pk
    return Coalesce(
        Subquery(source.values("pk")[:1]),
        Value(page.pk, output_field=pk_field),
        output_field=pk_field,
    )


def pages_localised_by_id(*, ids: list, model=None) -> list:
    """The pages with these ids (None stays None), each in the active language when a live
    translation exists, in one query.

    Instances of `model` when given (its fields loaded); otherwise each of its specific
    class with only the fields every page has (enough for a title and a link).
    """
    from django.db.models import F, Q
    from wagtail.models import Page

    present = [pk for pk in ids if pk is not None]
    if not present:
        return [None for _pk in ids]
    language = get_language() or settings.LANGUAGE_CODE
    wanted = Q(pk__in=present)
    if language != settings.LANGUAGE_CODE:
        wanted |= Q(
            translation_key__in=Page.objects.filter(pk__in=present).values("translation_key"),
            locale__language_code=language,
            live=True,
        )
    pages = (
        (model or Page).objects.filter(wanted).annotate(language_code=F("locale__language_code"))
    )
    if model is None:
        pages = pages.specific(defer=True)
    found = list(pages)
    translations = {p.translation_key: p for p in found if p.live and p.language_code == language}
    by_pk = {p.pk: p for p in found}
    return [
        None
        if pk is None or pk not in by_pk
        else translations.get(by_pk[pk].translation_key, by_pk[pk])
        for pk in ids
    ]


def pages_public(pages):
    """`pages` without those in a private section, as Wagtail's `public()`, in the same
    query: Wagtail's reads every view restriction first, one more query per listing."""
    from django.db.models import Exists, OuterRef
    from django.db.models.functions import Length, Substr
    from wagtail.models import PageViewRestriction

    # A restriction covers its page and every page below it: those whose path starts
    # with its page's path.
    covering = PageViewRestriction.objects.filter(
        page__path=Substr(OuterRef("path"), 1, Length("page__path"))
    )
    return pages.filter(~Exists(covering))


def site_name_and_tagline(*, campaign, home, root_id: int, language: str) -> tuple[str, str]:
    """The site's name and tagline as its header shows them: the campaign's, written in the
    default language; elsewhere the home page's translated title names the site."""
    if language == settings.LANGUAGE_CODE or home.pk == root_id:
        return campaign.campaign_name, campaign.tagline
    return home.title, ""


def site_root_localised(*, site, request=None):
    """The site's home page in the active language (its default-language home if none).

    With `request`, found once per request (the search view and the site's menu both ask).
    """
    root = site.root_page
    language = get_language() or settings.LANGUAGE_CODE
    if language == settings.LANGUAGE_CODE:
        return root
    cache_key = (site.pk, language)
    cached = getattr(request, "_vigil_language_homes", {})
    if cache_key in cached:
        return cached[cache_key]
    from wagtail.models import Page

    home = (
        Page.objects.live()
        .filter(translation_key=root.translation_key, locale__language_code=language)
        .first()
        or root
    )
    if request is not None:
        request._vigil_language_homes = {**cached, cache_key: home}
    return home


def translation_languages() -> list[tuple[str, str]]:
    """The languages content is translated into: every language but the default."""
    return [(code, name) for code, name in settings.LANGUAGES if code != settings.LANGUAGE_CODE]


def language_prefix(*, language: str) -> str:
    """The URL prefix of a language's pages: none for the default language, "/ru" for Russian
    (i18n_patterns with prefix_default_language=False)."""
    from django.conf import settings

    return "" if language == settings.LANGUAGE_CODE else f"/{language}"


# SQLite reports a busy or full database only in its message text.
_SQLITE_UNAVAILABLE = {
    "database is locked": "locked",
    "database table is locked": "locked",
    "database or disk is full": "full",
    "disk i/o error": "disk I/O error",
    "unable to open database file": "cannot open",
}
# PostgreSQL SQLSTATE classes and codes that mean "not now" rather than "wrong query":
# 08 connection exceptions, 53 insufficient resources (disk full, out of memory, too
# many connections), 57P01-57P03 shutting down or not yet accepting connections.
_POSTGRES_UNAVAILABLE_CLASSES = {"08": "connection lost", "53": "out of resources"}
_POSTGRES_UNAVAILABLE_CODES = {
    "57P01": "shutting down",
    "57P02": "shutting down",
    "57P03": "not accepting connections",
}


def database_unavailable_reason(*, error: BaseException) -> str | None:
    """Why the database cannot serve right now (a short phrase), or None for other errors.

    A locked, full or unreachable database passes, so it gets a 503 with Retry-After;
    anything else (a missing table, a bad query) is a bug and stays a 500.
    """
    from django.db import InterfaceError, OperationalError

    if not isinstance(error, OperationalError | InterfaceError):
        return None
    cause = error.__cause__ or error
    sqlstate = getattr(cause, "sqlstate", None)
    if sqlstate:
        return _POSTGRES_UNAVAILABLE_CODES.get(sqlstate) or _POSTGRES_UNAVAILABLE_CLASSES.get(
            sqlstate[:2]
        )
    if type(cause).__module__.startswith("psycopg"):
        # psycopg raises errors without SQLSTATE when it cannot reach the server at all
        # (refused, timed out, dropped).
        return "cannot connect"
    message = str(cause).lower()
    for text, reason in _SQLITE_UNAVAILABLE.items():
        if text in message:
            return reason
    return None
