"""Reading a WordPress export (WXR 1.1 or 1.2) into plain data, safely.

defusedxml refuses DTDs and entity declarations outright (WordPress never
writes them), so a hostile file cannot expand entities or reach the network.
"""

import datetime as dt
import html
import re
import urllib.parse
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from xml.etree.ElementTree import Element, ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import parse as xml_parse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from .errors import WordPressImportError

SUPPORTED_VERSIONS = ("1.1", "1.2")
_WP_NAMESPACE = re.compile(r"^http://wordpress\.org/export/(\d+\.\d+)/$")
_CONTENT = "{http://purl.org/rss/1.0/modules/content/}"
_DC = "{http://purl.org/dc/elements/1.1/}"
_NO_DATE = "0000-00-00 00:00:00"


@dataclass(frozen=True)
class WxrTerm:
    domain: str  # "category", "post_tag" or a custom taxonomy
    slug: str
    name: str


@dataclass
class WxrItem:
    """One `<item>`: a post, page, attachment or anything else WordPress stores as a post."""

    wp_id: int
    post_type: str
    status: str
    title: str
    slug: str  # decoded: WordPress stores non-ASCII slugs percent-encoded
    raw_slug: str
    link: str
    date_local: dt.datetime | None
    date_gmt: dt.datetime | None
    modified_gmt: dt.datetime | None
    author: str
    content: str
    excerpt: str
    parent_id: int
    menu_order: int
    is_sticky: bool
    password: str
    attachment_url: str
    terms: list[WxrTerm] = field(default_factory=list)
    meta: dict[str, str] = field(default_factory=dict)
    comment_count: int = 0


@dataclass
class WxrSite:
    version: str
    title: str
    base_site_url: str
    base_blog_url: str
    authors: dict[str, str]  # login -> display name
    items: list[WxrItem]

    def item(self, wp_id: int) -> WxrItem | None:
        return self._by_id.get(wp_id)

    def __post_init__(self):
        self._by_id = {item.wp_id: item for item in self.items}


def _text(element: Element | None) -> str:
    return (element.text or "") if element is not None else ""


def _int(value: str) -> int:
    try:
        return int(value.strip() or 0)
    except ValueError:
        return 0


def _naive(value: str) -> dt.datetime | None:
    value = value.strip()
    if not value or value == _NO_DATE:
        return None
    try:
        return dt.datetime.strptime(value, "%Y-%m-%d %H:%M:%S")
    except ValueError:
        return None


def _utc(value: str) -> dt.datetime | None:
    naive = _naive(value)
    return naive.replace(tzinfo=dt.UTC) if naive else None


def _wp_namespace(channel: Element) -> tuple[str, str] | None:
    """The `wp:` namespace of the export and the version it names, from `wp:wxr_version`."""
    for child in channel:
        if not isinstance(child.tag, str) or not child.tag.endswith("}wxr_version"):
            continue
        uri = child.tag[1:].split("}", 1)[0]
        match = _WP_NAMESPACE.match(uri)
        if match:
            return "{" + uri + "}", (child.text or "").strip() or match.group(1)
    return None


def wxr_parse(*, path: Path) -> WxrSite:
    """Read the export at `path`, or raise WordPressImportError saying what is wrong with it."""
    try:
        tree = xml_parse(str(path), forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except FileNotFoundError:
        raise WordPressImportError(_("There is no file %(path)s.") % {"path": path}) from None
    except IsADirectoryError:
        raise WordPressImportError(
            _("%(path)s is a folder, not a WordPress export file.") % {"path": path}
        ) from None
    except PermissionError:
        raise WordPressImportError(_("%(path)s cannot be read.") % {"path": path}) from None
    except ParseError as error:
        line, column = error.position
        raise WordPressImportError(
            _(
                "%(path)s is not well-formed XML (line %(line)s, column %(column)s): the export "
                "may be cut short. Export it from WordPress again."
            )
            % {"path": path, "line": line, "column": column}
        ) from None
    except DefusedXmlException:
        raise WordPressImportError(
            _(
                "%(path)s declares a DTD or entities, which WordPress exports never do; "
                "it was not read."
            )
            % {"path": path}
        ) from None
    root = tree.getroot()
    channel = root.find("channel") if root.tag == "rss" else None
    found = _wp_namespace(channel) if channel is not None else None
    if found is None:
        raise WordPressImportError(
            _(
                "%(path)s is not a WordPress export (WXR): it has no wp:wxr_version. In "
                "WordPress, use Tools → Export → All content."
            )
            % {"path": path}
        )
    wp, version = found
    if version not in SUPPORTED_VERSIONS:
        raise WordPressImportError(
            _("%(path)s is WXR version %(version)s; versions %(supported)s can be imported.")
            % {"path": path, "version": version, "supported": ", ".join(SUPPORTED_VERSIONS)}
        )
    excerpt = "{http://wordpress.org/export/" + wp[len("{http://wordpress.org/export/") :]
    excerpt = excerpt[:-1] + "excerpt/}"

    authors = {}
    for author in channel.findall(f"{wp}author"):
        login = _text(author.find(f"{wp}author_login")).strip()
        name = _text(author.find(f"{wp}author_display_name")).strip()
        if login:
            authors[login] = html.unescape(name) or login

    items = [_item(element, wp=wp, excerpt=excerpt) for element in channel.findall("item")]
    _ids_check(items, path=path)
    _dates_complete(items)
    base_site_url = _text(channel.find(f"{wp}base_site_url")).strip()
    return WxrSite(
        version=version,
        title=html.unescape(_text(channel.find("title")).strip()),
        base_site_url=base_site_url,
        base_blog_url=_text(channel.find(f"{wp}base_blog_url")).strip() or base_site_url,
        authors=authors,
        items=items,
    )


def _item(element: Element, *, wp: str, excerpt: str) -> WxrItem:
    raw_slug = _text(element.find(f"{wp}post_name")).strip()
    terms = [
        WxrTerm(
            domain=category.get("domain", ""),
            slug=urllib.parse.unquote(category.get("nicename", "")),
            name=html.unescape(_text(category).strip()),
        )
        for category in element.findall("category")
        if category.get("nicename")
    ]
    meta = {}
    for entry in element.findall(f"{wp}postmeta"):
        key = _text(entry.find(f"{wp}meta_key"))
        if key:
            meta[key] = _text(entry.find(f"{wp}meta_value"))
    return WxrItem(
        wp_id=_int(_text(element.find(f"{wp}post_id"))),
        post_type=_text(element.find(f"{wp}post_type")).strip(),
        status=_text(element.find(f"{wp}status")).strip(),
        title=html.unescape(_text(element.find("title")).strip()),
        slug=urllib.parse.unquote(raw_slug),
        raw_slug=raw_slug,
        link=_text(element.find("link")).strip(),
        date_local=_naive(_text(element.find(f"{wp}post_date"))),
        date_gmt=_utc(_text(element.find(f"{wp}post_date_gmt"))),
        modified_gmt=_utc(_text(element.find(f"{wp}post_modified_gmt"))),
        author=_text(element.find(f"{_DC}creator")).strip(),
        content=_text(element.find(f"{_CONTENT}encoded")),
        excerpt=_text(element.find(excerpt + "encoded")),
        parent_id=_int(_text(element.find(f"{wp}post_parent"))),
        menu_order=_int(_text(element.find(f"{wp}menu_order"))),
        is_sticky=_text(element.find(f"{wp}is_sticky")).strip() == "1",
        password=_text(element.find(f"{wp}post_password")),
        attachment_url=_text(element.find(f"{wp}attachment_url")).strip(),
        terms=terms,
        meta=meta,
        comment_count=len(element.findall(f"{wp}comment")),
    )


def _ids_check(items: list[WxrItem], *, path: Path) -> None:
    """Refuse an export that gives two items one WordPress ID.

    Imports recognise an item by its ID; with two, each import would take one of them for
    the other, and the page would change back and forth between runs.
    """
    titles: dict[int, list[str]] = defaultdict(list)
    for item in items:
        titles[item.wp_id].append(item.title)
    twice = {wp_id: names for wp_id, names in titles.items() if len(names) > 1}
    if not twice:
        return
    raise WordPressImportError(
        ngettext(
            "%(path)s lists WordPress ID %(ids)s more than once (%(titles)s), so an import "
            "cannot tell which item is which. Export the site from WordPress again.",
            "%(path)s lists WordPress IDs %(ids)s more than once (%(titles)s), so an import "
            "cannot tell which item is which. Export the site from WordPress again.",
            len(twice),
        )
        % {
            "path": path,
            "ids": ", ".join(str(wp_id) for wp_id in twice),
            "titles": ", ".join(
                _("“%(title)s”") % {"title": name} for names in twice.values() for name in names
            ),
        }
    )


def _dates_complete(items: list[WxrItem]) -> None:
    """Give drafts a UTC date: WordPress leaves their `post_date_gmt` empty.

    The site's offset from UTC is the one most items show between their local
    and UTC dates; an export with no such item is taken to be in UTC.
    """
    offsets = Counter(
        item.date_local - item.date_gmt.replace(tzinfo=None)
        for item in items
        if item.date_local and item.date_gmt
    )
    offset = offsets.most_common(1)[0][0] if offsets else dt.timedelta(0)
    for item in items:
        if item.date_gmt is None and item.date_local is not None:
            item.date_gmt = (item.date_local - offset).replace(tzinfo=dt.UTC)
