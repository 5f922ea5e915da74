import json
from urllib.parse import quote

from django import template
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db.models import Case, CharField, F, Q, Value, When
from django.utils.safestring import mark_safe
from django.utils.translation import get_language, gettext, pgettext
from wagtail.models import Page, Site

from vigil.core.dependencies import depend
from vigil.core.models import CampaignSettings
from vigil.core.registry import page_banners, page_role, page_roles, share_image_describe
from vigil.core.services import language_prefix, site_name_and_tagline, site_root_localised
from vigil.core.snapshot import snapshot_active, snapshot_memo, snapshot_whole_site

register = template.Library()

_JSON_ESCAPES = {ord("<"): "\\u003C", ord(">"): "\\u003E", ord("&"): "\\u0026"}


@register.simple_tag(takes_context=True)
def site_chrome(context):
    """Menu, footer links, the updates index and the language versions, once per request.

    One query on a page; views that are not pages (search, forms) in another language
    need one more to find that language's home page.
    """
    request = context.get("request")
    cached = getattr(request, "_vigil_chrome", None)
    if cached is not None:
        return cached
    language = get_language() or settings.LANGUAGE_CODE
    site = Site.find_for_request(request) if request else None
    chrome = {
        "menu": [],
        "menu_more": [],
        "key_links": [],
        "main_action": None,
        "updates_index": None,
        "updates_url": None,
        "home": None,
        "site_name": "",
        "tagline": "",
        "description": "",
        "language": language,
        "languages": [],
        "alternates": [],
        "translation": None,
        "canonical_url": None,
    }
    if site is None:
        return chrome
    root = site.root_page
    current = context.get("page")
    home_path = _chrome_home_path(
        site=site, root=root, current=current, language=language, request=request
    )
    # The menu lists the home page's children: a new one changes every page.
    depend(f"children:{home_path}")
    campaign = CampaignSettings.for_request(request)
    footer_ids = [pk for pk in (campaign.about_page_id, campaign.privacy_page_id) if pk]
    pages = _chrome_pages_load(
        root=root, current=current, language=language, home_path=home_path, footer_ids=footer_ids
    )
    _chrome_footer_fill(campaign=campaign, pages=pages, language=language)
    home = next((p for p in pages if p.path == home_path), root)
    chrome["home"] = home
    chrome["site_name"], chrome["tagline"] = site_name_and_tagline(
        campaign=campaign, home=home, root_id=root.pk, language=language
    )
    # What a page with no words of its own says of itself to search engines and
    # messengers: the tagline, written in the default language only, else this.
    chrome["description"] = chrome["tagline"] or gettext(
        "%(name)s: the facts of the case, its documents and how to help."
    ) % {"name": chrome["site_name"]}
    chrome.update(
        _chrome_menu(pages=pages, root=root, home_path=home_path, current=current, request=request)
    )
    chrome["main_action"] = _home_linked(pages, "main_action", language)
    chrome["key_links"] = _key_links(
        chrome=chrome, pages=pages, language=language, request=request, current=current
    )
    # The menu under "Menu" leaves out what the key links already name.
    key_urls = {link["url"] for link in chrome["key_links"]}
    chrome["menu_more"] = [item for item in chrome["menu"] if item["url"] not in key_urls]
    chrome.update(_language_versions(request, pages, root, current, language))
    request._vigil_chrome = chrome
    return chrome


def _chrome_home_path(*, site, root, current, language: str, request) -> str:
    """The path of the home page in the reader's language."""
    if language == settings.LANGUAGE_CODE:
        return root.path
    if isinstance(current, Page) and current.path.startswith(root.path[: -Page.steplen]):
        # A page served in this language lies under that language's home, which is
        # its ancestor at the home's depth: no query needed to find it.
        return current.path[: len(root.path)]
    return site_root_localised(site=site, request=request).path


def _chrome_shared_condition(*, root, language: str, home_path: str, footer_ids, home_links) -> Q:
    """Menu, footer links, the updates index and every language version of the home
    page (and, with this page's versions, of this page): one query."""
    return (
        Q(
            translation_key__in=Page.objects.filter(pk__in=footer_ids).values("translation_key"),
            locale__language_code=language,
        )
        | Q(pk__in=footer_ids)
        | Q(path__startswith=home_path, depth=root.depth + 1, show_in_menus=True)
        | Q(
            path__startswith=home_path,
            depth=root.depth + 1,
            content_type__in=ContentType.objects.get_for_models(
                *page_roles("updates_index", "support_register", "library")
            ).values(),
        )
        | Q(translation_key=root.translation_key)
        # The home page's main action and featured case (the header's key links), in
        # this language or the default one.
        | (
            (
                Q(translation_key__in=home_links["main_action"])
                | Q(translation_key__in=home_links["featured_case"])
            )
            & Q(locale__language_code__in={language, settings.LANGUAGE_CODE})
        )
    )


def _chrome_pages_load(*, root, current, language: str, home_path: str, footer_ids) -> list:
    """The pages the chrome names, and this page's versions in every language."""
    home_links = _home_link_keys(root)

    def shared_condition() -> Q:
        return _chrome_shared_condition(
            root=root,
            language=language,
            home_path=home_path,
            footer_ids=footer_ids,
            home_links=home_links,
        )

    key = current.translation_key if isinstance(current, Page) and current.pk else None
    if not snapshot_active():
        shared = shared_condition()
        return _chrome_pages(
            shared | Q(translation_key=key) if key else shared, home_links=home_links
        )
    # Rendering many pages: the shared part once per language; this page's versions
    # from every page's, loaded once for the whole site, or else on their own.
    pages = snapshot_memo(
        ("chrome", language, home_path, *footer_ids),
        lambda: _chrome_pages(shared_condition(), home_links=home_links),
    )
    if key is None:
        return pages
    known = {p.pk for p in pages}
    if snapshot_whole_site():
        versions = _page_versions().get(key, [])
    else:
        versions = _chrome_pages(Q(translation_key=key))
    return sorted(pages + [p for p in versions if p.pk not in known], key=lambda p: p.path)


def _chrome_footer_fill(*, campaign, pages: list, language: str) -> None:
    """Fill the settings' foreign-key caches (in the reader's language) so the footer
    costs no query."""
    for field in ("about_page", "privacy_page"):
        source_id = getattr(campaign, f"{field}_id")
        source = next((p for p in pages if p.pk == source_id), None)
        localised = next(
            (
                p
                for p in pages
                if source is not None
                and p.translation_key == source.translation_key
                and p.language_code == language
            ),
            source,
        )
        setattr(campaign, field, localised)


def _chrome_menu(*, pages: list, root, home_path: str, current, request) -> dict:
    """The menu (the home page's children shown in menus) and the updates index."""
    children = [p for p in pages if p.depth == root.depth + 1 and p.path.startswith(home_path)]
    updates_index = next((p for p in children if isinstance(p, page_role("updates_index"))), None)
    updates_url = updates_index.get_url(request) if updates_index is not None else None
    current_path = getattr(current, "path", "")
    menu = [
        {
            "page": item,
            "title": item.menu_title,
            "url": item.get_url(request),
            "current": (
                "page"
                if current_path == item.path
                else "true"
                if current_path.startswith(item.path)
                else ""
            ),
        }
        for item in children
        # An untranslated copy with no name in the reader's language is left out.
        if item.show_in_menus and item.menu_title
    ]
    return {"menu": menu, "updates_index": updates_index, "updates_url": updates_url}


def _key_links(*, chrome: dict, pages: list, language: str, request, current) -> list[dict]:
    """The four places a reader must reach from every page in one tap: the case record,
    the main action, the support register and the library, with short names that fit a
    phone's header."""
    action = chrome["main_action"]
    links = [
        (_home_linked(pages, "featured_case", language), pgettext("key link", "The case")),
        (
            action,
            # A petition says so (it has a figure to show); any other action is generic.
            pgettext("key link", "Petition")
            if hasattr(action, "call_to_action_figure")
            else pgettext("key link", "Take action"),
        ),
    ]
    labels = {
        "support_register": pgettext("key link", "Supporters"),
        "library": pgettext("key link", "Documents"),
    }
    for role, label in labels.items():
        for model in page_roles(role):
            links.append((_child_of_type(pages, chrome, model), label))
    current_path = getattr(current, "path", "")
    return [
        {"title": title, "url": page.get_url(request), "current": current_path == page.path}
        for page, title in links
        if page is not None
    ]


def _child_of_type(pages: list, chrome: dict, model: type):
    """A page of `model` right under this language's home page (one not in the menu)."""
    home = chrome["home"]
    return next(
        (
            p
            for p in pages
            if isinstance(p, model) and p.depth == home.depth + 1 and p.path.startswith(home.path)
        ),
        None,
    )


def _home_link_keys(root) -> dict:
    """The translation keys of the pages the home page names as its main action and its
    featured case (subqueries)."""
    home = page_role("home").objects.filter(pk=root.pk)
    return {
        "main_action": home.values("action_page__translation_key"),
        "featured_case": home.values("featured_case__translation_key"),
    }


def _home_linked(pages: list, link: str, language: str):
    """The page the home page names as `link` among the chrome's pages: this language's,
    else the default's. Found by its annotation: reading the home page's field would
    cost a query."""
    found = {p.language_code: p for p in pages if getattr(p, "home_link", "") == link}
    return found.get(language) or found.get(settings.LANGUAGE_CODE)


def _chrome_pages(condition: Q, *, home_links=None) -> list:
    pages = Page.objects.live().filter(condition).annotate(language_code=F("locale__language_code"))
    if home_links is not None:
        pages = pages.annotate(
            home_link=Case(
                *(
                    When(translation_key__in=keys, then=Value(link))
                    for link, keys in home_links.items()
                ),
                default=Value(""),
                output_field=CharField(),
            )
        )
    return list(pages.order_by("path").specific(defer=True))


def _page_versions() -> dict:
    """Every live page with its language, by translation key, once per snapshot."""

    def load():
        versions = {}
        for page in _chrome_pages(Q()):
            versions.setdefault(page.translation_key, []).append(page)
        return versions

    return snapshot_memo(("page-versions",), load)


def _language_versions(request, pages, root, current, language) -> dict:
    """The switcher's links, the hreflang alternates and this page's translation state.

    The switcher links each language to this page's version in it (translated, or an
    untranslated copy shown in English), or to that language's home page.
    """
    key = getattr(current, "translation_key", None)
    versions = {p.language_code: p for p in pages if key and p.translation_key == key}
    homes = {p.language_code: p for p in pages if p.translation_key == root.translation_key}
    languages = []
    alternates = []
    for code, name in settings.LANGUAGES:
        target = versions.get(code) or homes.get(code)
        if target is None:
            continue
        url = target.get_url(request)
        languages.append({"code": code, "name": name, "url": url, "current": code == language})
        version = versions.get(code)
        if version is not None and version.alias_of_id is None:
            alternates.append({"code": code, "url": request.build_absolute_uri(url)})
    translation = None
    canonical = None
    if key and language != settings.LANGUAGE_CODE and language in versions:
        this = versions[language]
        source = versions.get(settings.LANGUAGE_CODE)
        if this.alias_of_id is not None:
            translation = {"state": "missing"}
            if source is not None:
                # The copy shows the original's content: search engines should index that.
                canonical = request.build_absolute_uri(source.get_url(request))
        elif (
            source is not None
            and source.last_published_at
            and this.last_published_at
            and source.last_published_at > this.last_published_at
        ):
            translation = {
                "state": "outdated",
                "source_changed": source.last_published_at,
                "source_url": source.get_url(request),
            }
    return {
        "languages": languages,
        "alternates": alternates,
        "translation": translation,
        "canonical_url": canonical,
    }


@register.simple_tag(takes_context=True)
def share_image(context):
    """The page's share image for the head's og:image and twitter:image tags, or None:
    drawn by the app that registers it (core/registry.py, share_image_register).

    The page shared is the view's `share_page` (a petition's thank-you page shares the
    petition), else the page itself, else the home page in the reader's language.
    """
    request = context.get("request")
    memo = getattr(request, "_vigil_share_image", None)
    if memo is not None:
        return memo[0]
    described = share_image_describe(context)
    if request is not None:
        # The head and a page's text may both name it (the petition's thank-you page).
        request._vigil_share_image = (described,)
    return described


@register.simple_tag(takes_context=True)
def update_card(context, update, *, heading_level: int = 2, is_pinned: bool = False) -> str:
    """An update in a list (includes/update_card.html).

    The same update's card is on many pages (listings, tags, years, related updates):
    rendering the whole site (snapshot_reads), each is rendered once per language.
    """

    def render():
        card = template.loader.get_template("includes/update_card.html").template
        values = {
            "update": update,
            "heading_level": heading_level,
            "is_pinned": is_pinned,
            "request": context.get("request"),
        }
        return mark_safe(card.render(template.Context(values, autoescape=context.autoescape)))  # noqa: S308

    key = ("update-card", update.pk, get_language(), heading_level, is_pinned)
    return snapshot_memo(key, render)


class _SnapshotFragmentNode(template.Node):
    def __init__(self, nodelist, name: str, keys: list):
        self.nodelist = nodelist
        self.name = name
        self.keys = keys

    def render(self, context):
        key = ("fragment", self.name, get_language(), *(k.resolve(context) for k in self.keys))
        return snapshot_memo(key, lambda: self.nodelist.render(context))


@register.tag
def snapshot_fragment(parser, token):
    """`{% snapshot_fragment "name" value ... %}…{% endsnapshot_fragment %}`: a part of a
    page that many pages show alike. Rendering the whole site (snapshot_reads), it is
    rendered once per language and values, which must be all it depends on; otherwise,
    every time.
    """
    bits = token.split_contents()
    if len(bits) < 2:
        raise template.TemplateSyntaxError("snapshot_fragment needs a name")
    nodelist = parser.parse(("endsnapshot_fragment",))
    parser.delete_first_token()
    return _SnapshotFragmentNode(nodelist, bits[1], [parser.compile_filter(b) for b in bits[2:]])


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


@register.filter
def content_language(page) -> str:
    """The language of an untranslated copy's text (the default), or '' for a translation."""
    return settings.LANGUAGE_CODE if getattr(page, "alias_of_id", None) else ""


@register.simple_tag
def untranslated_lang() -> str:
    """` lang="en"` on text that exists only in the default language (tag names), when the
    page is in another, so screen readers pronounce it right."""
    if (get_language() or settings.LANGUAGE_CODE) == settings.LANGUAGE_CODE:
        return ""
    return mark_safe(f' lang="{settings.LANGUAGE_CODE}"')  # noqa: S308 - a language code


@register.simple_tag
def home_url() -> str:
    """The home page in the active language ("/ru/"), for pages that are no Wagtail page
    (errors); no database query, so the 500 and 503 pages can use it."""
    return language_prefix(language=get_language() or settings.LANGUAGE_CODE) + "/"


@register.inclusion_tag("includes/share_links.html", takes_context=True)
def share_links(context, url: str, title: str, heading: str = "") -> dict:
    """Plain share links for `url` (WhatsApp, Telegram, Facebook, X, VK, email) and a
    field to copy it from. The campaign's hashtag goes with the text where the service
    takes text."""
    campaign = CampaignSettings.for_request(context["request"]) if context.get("request") else None
    hashtag = campaign.hashtag if campaign is not None else ""
    text = f"{title} {hashtag}".strip()  # not translated: the page's own title and hashtag
    encoded_url, encoded_text = quote(url, safe=""), quote(text, safe="")
    links = [
        ("WhatsApp", f"https://wa.me/?text={quote(text + ' ' + url, safe='')}"),
        ("Telegram", f"https://t.me/share/url?url={encoded_url}&text={encoded_text}"),
        ("Facebook", f"https://www.facebook.com/sharer/sharer.php?u={encoded_url}"),
        ("X", f"https://x.com/intent/post?url={encoded_url}&text={encoded_text}"),
        ("VK", f"https://vk.com/share.php?url={encoded_url}&title={quote(title, safe='')}"),
        (
            gettext("Email"),
            f"mailto:?subject={quote(title, safe='')}&body={quote(text + chr(10) + url, safe='')}",
        ),
    ]
    return {"url": url, "links": links, "heading": heading or gettext("Share this page")}


@register.simple_tag(takes_context=True)
def page_banner(context) -> str:
    """What the apps put at the top of every public page (core.registry.page_banner_register)."""
    return mark_safe("".join(render(context) for render in page_banners()))
