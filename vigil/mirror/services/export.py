"""`site_export`: the whole public site as files, signed; or only what a change touched."""

import datetime as dt
import hashlib
import logging
import multiprocessing
import os
import re
import shutil
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from html import escape
from pathlib import Path
from queue import SimpleQueue
from urllib.parse import unquote, urljoin, urlsplit

from django.conf import settings
from django.contrib.staticfiles import finders
from django.contrib.staticfiles.storage import staticfiles_storage
from django.db import connections
from django.urls import Resolver404, resolve
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django_tasks import task
from wagtail.models import Locale, ModelLogEntry, Page, PageLogEntry, Site

from vigil.cases.models import CasePage, TimelineEvent
from vigil.core import views as core_views
from vigil.core.leases import lease_hold
from vigil.core.services import language_prefix
from vigil.core.snapshot import snapshot_begin, snapshot_reads, snapshot_whole_site
from vigil.images.views import media_path_public
from vigil.news import services as news
from vigil.news.feeds import FEED_LENGTH
from vigil.news.models import UPDATES_PER_PAGE, UpdateIndexPage, UpdatePage, UpdatePageTag

from ..models import MirrorExport
from . import search_index
from .paths import NOT_IN_MANIFEST, relative_link, url_file
from .render import SiteRenderer
from .rewrite import html_links_rewrite, internal_url, origin_replace
from .signing import file_sha256, manifest_sign, mirror_key_path

FULL_EXPORT_EVERY = dt.timedelta(days=1)
NOT_FOUND_URL = "/__vigil-mirror-not-found__/"
NOT_FOUND_FILE = "404.html"
_CSS_URL = re.compile(r"""url\(\s*['"]?([^'")]+)['"]?\s*\)""")
_TEXT_TYPES = (
    "text/",
    "application/xml",
    "application/rss",
    "application/atom",
    "application/json",
)
# Log entries that change nothing readers see.
_QUIET_ACTIONS = (
    "wagtail.create",
    "wagtail.edit",
    "wagtail.lock",
    "wagtail.unlock",
    "wagtail.view_restriction.create",
)
_LIVE_ACTIONS_NEEDING_FULL = ("wagtail.delete", "wagtail.move", "wagtail.reorder")


class ExportError(Exception):
    """The export cannot start or go on; the message says why."""


@dataclass
class ExportSummary:
    incremental: bool = False
    files: int = 0
    bytes: int = 0
    rendered: int = 0
    written: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    broken: list[tuple[str, int, str]] = field(default_factory=list)  # url, status, linked from
    # Addresses the copy must have that did not render (url, status): a public page,
    # a sitemap, or anything answering a server error. The copy is then incomplete.
    failed: list[tuple[str, int]] = field(default_factory=list)
    seconds: float = 0.0
    bytes_written: int = 0


@dataclass
class _Result:
    url: str
    status: int
    file: str = ""
    digest: str = ""
    size: int = 0
    written: bool = False
    links: set[str] = field(default_factory=set)
    # A public page's search_index.search_fields, taken while it is loaded to render.
    search: dict | None = None


# -- which URLs ----------------------------------------------------------------


def _language_prefixes() -> dict[str, str]:
    return {code: language_prefix(language=code) for code, _name in settings.LANGUAGES}


def _skipped(url: str) -> bool:
    """Parts of the site that need the server: admin, forms' targets, searches, drafts."""
    parts = urlsplit(url)
    path = parts.path
    for prefix in _language_prefixes().values():
        if prefix and (path == prefix or path.startswith(prefix + "/")):
            path = path[len(prefix) :] or "/"
            break
    if path.startswith(("/admin", "/act/")) and path != "/act/subscribe/":
        return True
    if path.startswith("/search/") and (parts.query or path != "/search/"):
        return True
    return "/sign/" in path or path.endswith("/" + search_index.INDEX_NAME)


def _is_asset(url: str) -> bool:
    return url.startswith((settings.STATIC_URL, settings.MEDIA_URL, "/documents/"))


@dataclass(frozen=True)
class PublicPage:
    """A live public page as the export needs it, without loading the page model."""

    pk: int
    language: str
    translation_key: object
    content_type_id: int


def public_page_paths(*, site) -> list[tuple[PublicPage, str]]:
    """Every live public page of the site in every language, with its URL path.

    URLs come from each page's url_path under its language's home, as Wagtail's
    i18n routing makes them, without a site lookup or a model per page (3,000
    pages: 0.05 s, against 0.5 s with get_url).
    """
    found = []
    prefixes = _language_prefixes()
    roots = Page.objects.filter(translation_key=site.root_page.translation_key).live()
    for root in roots.select_related("locale"):
        prefix = prefixes.get(root.locale.language_code)
        if prefix is None:
            continue
        rows = (
            Page.objects.live()
            .public()
            .descendant_of(root, inclusive=True)
            .values_list("pk", "translation_key", "content_type_id", "url_path")
        )
        for pk, key, content_type_id, url_path in rows:
            page = PublicPage(pk, root.locale.language_code, key, content_type_id)
            found.append((page, prefix + "/" + url_path[len(root.url_path) :]))
    return found


def _fixed_urls() -> list[str]:
    urls = ["/robots.txt", "/favicon.ico"]
    for prefix in _language_prefixes().values():
        urls += [
            f"{prefix}/",
            f"{prefix}/sitemap.xml",
            search_index.search_page_url(prefix=prefix),
            f"{prefix}/act/subscribe/",
            f"{prefix}/mirrors/",
        ]
    return urls


# -- incremental: what a change touches ------------------------------------------


def changes_since(*, since) -> tuple[set[int], bool]:
    """Pages whose publication changed since `since`, and whether only a full export is safe.

    Deleting or moving pages, and any edit to snippets or settings (which many pages
    show), call for a full export; publishing and unpublishing pages do not.
    """
    entries = PageLogEntry.objects.filter(timestamp__gte=since).exclude(action__in=_QUIET_ACTIONS)
    page_ids = set()
    for action, page_id in entries.values_list("action", "page_id"):
        if action in _LIVE_ACTIONS_NEEDING_FULL:
            return set(), True
        page_ids.add(page_id)
    other = ModelLogEntry.objects.filter(timestamp__gte=since).exclude(
        content_type__app_label="actions"
    )
    return page_ids, other.exists()


def mirror_refresh() -> ExportSummary | None:
    """An incremental export into MIRROR_EXPORT_DIR when something was published since the
    last one; None when no copy is configured or nothing changed. A worker runs it
    (mirror_refresh_task): a publish never waits for the export."""
    if not settings.MIRROR_EXPORT_DIR:
        return None
    directory = Path(settings.MIRROR_EXPORT_DIR)
    previous = MirrorExport.objects.filter(directory=str(directory.resolve())).first()
    # Other updates' "related" and series links are not tracked by incremental exports:
    # a full export a day brings every page back in line.
    stale = (
        previous is None
        or previous.finished_at is None
        or previous.full_at is None
        or (timezone.now() - previous.full_at > FULL_EXPORT_EVERY)
    )
    if not stale:
        page_ids, full = changes_since(since=previous.started_at)
        if not (page_ids or full):
            return None
    return site_export(
        directory=directory, base_url=settings.MIRROR_BASE_URL, incremental=not stale, jobs=1
    )


def _page_record(page, url: str, tags: dict[int, list[str]], dates: dict[int, str]) -> dict:
    """What an incremental export needs to know of a page as it was exported: its URL,
    and for an update its date and tags (a change to either moves it in listings)."""
    record = {"u": url}
    if page.pk in tags:
        record["t"] = sorted(tags[page.pk])
    if page.pk in dates:
        record["d"] = dates[page.pk]
    return record


def _update_type_id() -> int:
    from django.contrib.contenttypes.models import ContentType

    return ContentType.objects.get_for_model(UpdatePage).pk


def _update_dates(page_ids: list[int]) -> dict[int, str]:
    rows = UpdatePage.objects.filter(pk__in=page_ids).values_list("pk", "date")
    return {pk: date.isoformat() for pk, date in rows if date}


def _update_tags(page_ids: list[int]) -> dict[int, list[str]]:
    tags: dict[int, list[str]] = {page_id: [] for page_id in page_ids}
    rows = UpdatePageTag.objects.filter(content_object_id__in=page_ids).values_list(
        "content_object_id", "tag__slug"
    )
    for page_id, slug in rows:
        tags.setdefault(page_id, []).append(slug)
    return tags


def _listing_pages(
    *, route: str, ids: list[int], page_pk: int, shifted: bool, old_sources: set[str]
) -> set[str]:
    """The pages of one listing (index, tag or year; `ids` in its order) that show a page.

    Listings are paginated from the newest, so an update that appears, goes, or
    changes date moves every later item: then every page of the listing is due.
    Otherwise only the page it is on changes.
    """
    if shifted:
        # Pagination links are percent-encoded and tag links not (a Cyrillic tag's).
        return {route} | {s for s in old_sources if unquote(s).startswith(unquote(route) + "page/")}
    if page_pk not in ids:
        return set()
    number = ids.index(page_pk) // UPDATES_PER_PAGE + 1
    return {route if number == 1 else f"{route}page/{number}/"}


def _feeds(route: str) -> set[str]:
    return {route + "feed/rss/", route + "feed/atom/"}


def _update_affected(
    *, page, index, record: dict | None, route: str, old_sources
) -> tuple[set[str], bool]:
    """Listing pages, tag pages, year pages and feeds that show this update, and whether
    the home page above the index may show it (among its latest, pinned, or moved).

    One query per listing: its ids in order give both the page an update is on and
    whether it is among the feed's latest items.
    """
    visible = news.updates_visible(index=index)
    visible_ids = list(visible.values_list("pk", flat=True))
    # The pinned update heads page 1 and is left out of the dated list (see _listing).
    listed_ids = [pk for pk in visible_ids if pk != index.pinned_update_id]
    now_tags = set(page.tags.values_list("slug", flat=True)) if page.live else set()
    old_tags = set(record.get("t", [])) if record else set()
    date = page.date.isoformat() if page.live and page.date else None
    moved = record is None or not page.live or record.get("d") != date
    years = {int(value[:4]) for value in (date, record.get("d") if record else None) if value}

    urls = _listing_pages(
        route=route, ids=listed_ids, page_pk=page.pk, shifted=moved, old_sources=old_sources
    )
    home = index.get_parent().specific
    latest_count = getattr(home, "latest_count", FEED_LENGTH)
    on_home = moved or page.pk == index.pinned_update_id or page.pk in listed_ids[:latest_count]
    if moved or page.pk in visible_ids[:FEED_LENGTH]:
        urls |= _feeds(route)
    for slug in now_tags | old_tags:
        tag_route = f"{route}tag/{slug}/"
        tagged_ids = list(visible.filter(tags__slug=slug).values_list("pk", flat=True))
        retagged = moved or slug not in (now_tags & old_tags)
        urls |= _listing_pages(
            route=tag_route,
            ids=tagged_ids,
            page_pk=page.pk,
            shifted=retagged,
            old_sources=old_sources,
        )
        if retagged or page.pk in tagged_ids[:FEED_LENGTH]:
            urls |= _feeds(tag_route)
    for year in years:
        urls |= _listing_pages(
            route=f"{route}year/{year}/",
            ids=list(visible.filter(date__year=year).values_list("pk", flat=True)),
            page_pk=page.pk,
            shifted=moved,
            old_sources=old_sources,
        )
    return urls, on_home


def _affected_urls(*, page_ids: set[int], previous: MirrorExport, site) -> set[str]:
    """The URLs whose files a change to these pages can alter."""
    urls: set[str] = set()
    keys = Page.objects.filter(pk__in=page_ids).values_list("translation_key", flat=True)
    pages = list(Page.objects.filter(translation_key__in=list(keys)).specific())
    old_sources = set(previous.sources.values())
    # Home and case pages show an update only in their latest updates and timeline
    # links; any other change may show on them.
    homes_due = cases_due = not all(isinstance(page, UpdatePage) for page in pages)
    if not cases_due:
        cases_due = TimelineEvent.updates.through.objects.filter(
            updatepage_id__in=[page.pk for page in pages]
        ).exists()
    for page in pages:
        record = previous.pages.get(str(page.pk))
        if isinstance(record, str):  # recorded before dates and tags were kept
            record = {"u": record}
        if record:
            urls.add(record["u"])
        url = page.get_url(current_site=site) if page.live else None
        if url:
            urls.add(url)
        parent = page.get_parent()
        parent_url = parent.get_url(current_site=site) if parent and parent.live else None
        if not parent_url:
            continue
        if isinstance(page, UpdatePage) and isinstance(parent.specific, UpdateIndexPage):
            listed, on_home = _update_affected(
                page=page,
                index=parent.specific,
                record=record,
                route=parent_url,
                old_sources=old_sources,
            )
            urls |= listed
            homes_due = homes_due or on_home
        elif isinstance(page, UpdateIndexPage):
            # Its pinned update or intro changed: every page of its listings shows them.
            urls.add(parent_url)
            urls |= {source for source in old_sources if source.startswith(url or parent_url)}
        else:
            urls.add(parent_url)
    shown_on = []
    if homes_due:
        shown_on += Page.objects.filter(translation_key=site.root_page.translation_key).live()
    if cases_due:
        shown_on += CasePage.objects.live()
    for page in shown_on:
        url = page.get_url(current_site=site)
        if url:
            urls.add(url)
    for prefix in _language_prefixes().values():
        urls.add(f"{prefix}/sitemap.xml")
    return urls


# -- rendering and copying ---------------------------------------------------------


def _write_if_changed(
    path: Path, data: bytes, *, folders: set[Path] | None = None, fresh: bool = False
) -> bool:
    """Write `data` to `path` unless it holds them already; True when written.

    `folders`: the folders this export has made or found already, so that thousands
    of files do not each ask the file system again (a noticeable part of an export).
    `fresh`: the copy's folder was empty when the export began, so there is nothing
    to compare with.
    """
    if not fresh:
        try:
            if os.stat(path).st_size == len(data) and path.read_bytes() == data:
                return False
        except FileNotFoundError:
            pass
    if folders is None or path.parent not in folders:
        path.parent.mkdir(parents=True, exist_ok=True)
        if folders is not None:
            folders.add(path.parent)
    temporary = path.with_name(path.name + ".part")
    temporary.write_bytes(data)
    temporary.replace(path)
    return True


def _redirect_page(*, target: str) -> bytes:
    # A meta refresh needs no script, so it holds under the copy's CSP too.
    link = escape(target, quote=True)
    return (
        '<!DOCTYPE html>\n<html><head><meta charset="utf-8">'
        f'<meta http-equiv="refresh" content="0; url={link}">'
        f'<link rel="canonical" href="{link}"><title>→</title></head>'
        f'<body><p><a href="{link}">{link}</a></p></body></html>\n'
    ).encode()


class _ExpectedNotFound(logging.Filter):
    """Drops Django's "Not Found" line for the address the export asks for on purpose to
    render the mirror's 404 page: it told operators of an error that was none."""

    def filter(self, record: logging.LogRecord) -> bool:
        request = getattr(record, "request", None)
        return getattr(request, "path", None) != NOT_FOUND_URL


_EXPECTED_NOT_FOUND = _ExpectedNotFound()


class _Worker:
    """Renders URLs into files; one per process."""

    def __init__(
        self,
        *,
        directory: Path,
        site_id: int,
        base_url: str,
        made_at,
        page_ids: dict[str, int],
        fresh: bool = False,
    ):
        self.directory = directory
        self.fresh = fresh
        self.site = Site.objects.get(pk=site_id)
        self.base_url = base_url
        self.renderer = SiteRenderer(site=self.site, made_at=made_at)
        logging.getLogger("django.request").addFilter(_EXPECTED_NOT_FOUND)  # once: a set
        self.main_url = self.site.root_url
        self.page_ids = page_ids
        self.folders: set[Path] = set()

    def do_batch(self, urls: list[str]) -> list[_Result]:
        """Render or copy these URLs. The public pages among them are loaded together,
        a query or two for the batch instead of two or three for each page."""
        routes = {url: self._route_start(url) for url in urls}
        ids = {route[0] for route in routes.values() if route}
        pages = {}
        if ids:
            for page in Page.objects.filter(pk__in=ids).specific():
                page.known_unrestricted = True  # listed by public_page_paths()
                pages[page.pk] = page
        results = []
        for url in urls:
            page_id, components = routes[url] or (None, ())
            page = pages.get(page_id)
            result = self.do(url, page=page, components=components)
            if page is not None and not components and result.status == 200:
                result.search = search_index.search_fields(page=page)
            results.append(result)
        return results

    def _route_start(self, url: str) -> tuple[int, tuple[str, ...]] | None:
        """The public page Wagtail's routing would start `url` from, and the rest of the
        path it would hand that page; None for URLs Wagtail does not serve."""
        if url in self.page_ids:
            return self.page_ids[url], ()
        split = urlsplit(url)
        path = split.path
        if split.query or not path.endswith("/"):
            return None
        # Resolved as the request will be: in the language its prefix names.
        language = translation.get_language_from_path(path) or settings.LANGUAGE_CODE
        try:
            with translation.override(language):
                if resolve(path).func is not core_views.serve:
                    return None
        except Resolver404:
            return None
        parts = path.strip("/").split("/")
        for depth in range(len(parts) - 1, -1, -1):
            prefix = "/" + "".join(part + "/" for part in parts[:depth])
            if prefix in self.page_ids:
                return self.page_ids[prefix], tuple(parts[depth:])
        return None

    def render(self, url: str, *, file: str | None = None, page=None, components=()) -> _Result:
        rendered = self.renderer.get(url, page=page, components=components)
        file = file or url_file(url)
        result = _Result(url=url, status=rendered.status, file=file)
        if 300 <= rendered.status < 400 and rendered.location:
            location = urlsplit(urljoin(url, rendered.location))
            elsewhere = location.netloc and not self.main_url.endswith(location.netloc)
            if elsewhere and rendered.location.startswith(("http:", "https:")):
                return result
            target = internal_url(location.path + ("?" + location.query if location.query else ""))
            data = _redirect_page(target=relative_link(from_file=file, to_file=url_file(target)))
            result.links = {target}
        elif rendered.status == 200:
            data = rendered.body
            content_type = rendered.content_type.split(";")[0].strip()
            if content_type == "text/html":
                text, result.links = html_links_rewrite(data.decode("utf-8"), file_path=file)
                data = text.encode("utf-8")
            elif content_type.startswith(_TEXT_TYPES):
                data = origin_replace(
                    data.decode("utf-8"), main_url=self.main_url, base_url=self.base_url
                ).encode("utf-8")
        elif url == NOT_FOUND_URL and rendered.status == 404:
            text, result.links = html_links_rewrite(rendered.body.decode("utf-8"), file_path=file)
            data = text.encode("utf-8")
            result.status = 200
        else:
            return result
        result.digest = hashlib.sha256(data).hexdigest()
        result.size = len(data)
        result.written = _write_if_changed(
            self.directory / file, data, folders=self.folders, fresh=self.fresh
        )
        return result

    def copy(self, url: str) -> _Result:
        """A static file, media file or public document, copied as it is."""
        path = unquote(urlsplit(url).path)
        result = _Result(url=url, status=404, file=url_file(url))
        source = self._asset_source(path)
        if source is None or not source.is_file():
            return result
        target = self.directory / result.file
        result.status = 200
        digest = file_sha256(source)
        if not target.is_file() or file_sha256(target) != digest:
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source, target)
            result.written = True
        result.digest = digest
        result.size = source.stat().st_size
        if path.endswith(".css"):
            text = source.read_text(encoding="utf-8", errors="replace")
            for ref in _CSS_URL.findall(text):
                if not ref.startswith(("data:", "http:", "https:", "#")):
                    result.links.add(urlsplit(urljoin(path, ref)).path)
        return result

    def _asset_source(self, path: str) -> Path | None:
        if path.startswith(settings.STATIC_URL):
            name = path[len(settings.STATIC_URL) :]
            try:
                if staticfiles_storage.exists(name):
                    return Path(staticfiles_storage.path(name))
            except (NotImplementedError, ValueError):
                pass
            found = finders.find(name)
            return Path(found) if found else None
        if path.startswith(settings.MEDIA_URL):
            relative = path[len(settings.MEDIA_URL) :]
            # Renditions only, as the live site: never an original or a private document.
            if not media_path_public(relative):
                return None
            root = Path(settings.MEDIA_ROOT).resolve()
            source = (root / relative).resolve()
            return source if source.is_relative_to(root) else None
        match = re.fullmatch(r"/documents/(\d+)/[^/]+", path)
        if match:
            from wagtail.documents import get_document_model

            document = get_document_model().objects.filter(pk=match.group(1)).first()
            if document is None or document.collection.get_view_restrictions().exists():
                return None
            return Path(document.file.path)
        return None

    def do(self, url: str, *, page=None, components=()) -> _Result:
        if url == NOT_FOUND_URL:
            return self.render(url, file=NOT_FOUND_FILE)
        if _is_asset(url):
            return self.copy(url)
        return self.render(url, page=page, components=components)


_worker: _Worker | None = None
# URLs a worker takes at a time: enough to load their pages in a few queries, few
# enough that both workers stay busy to the end.
_BATCH = 25
# Fewer URLs than this to start with (an incremental export) render in this process,
# each page reading what it shows as a request of the live site does.
_POOL_MIN_URLS = 200


def _worker_start(options: dict, whole_site: bool) -> None:
    global _worker
    connections.close_all()
    snapshot_begin(whole_site=whole_site)
    _worker = _Worker(**options)


def _worker_do_batch(urls: list[str]) -> list[_Result]:
    return _worker.do_batch(urls)


# -- the export ----------------------------------------------------------------


def _export_target(*, directory: Path, base_url: str, key: Path):
    """The default site and the earlier export into `directory`; ExportError where the
    key, the site, the address or the directory cannot be used."""
    if not key.is_file():
        raise ExportError(
            _("No mirror signing key at %(path)s. Create one with: manage.py mirror_key --create")
            % {"path": key}
        )
    site = Site.objects.filter(is_default_site=True).select_related("root_page").first()
    if site is None:
        raise ExportError(_("No default site is configured: there is nothing to export."))
    if base_url and not re.match(r"^(https?|file)://", base_url):
        raise ExportError(_("--base-url must start with http://, https:// or file://."))
    previous = MirrorExport.objects.filter(directory=str(directory)).first()
    if directory.exists() and not directory.is_dir():
        raise ExportError(_("%(path)s exists and is not a directory.") % {"path": directory})
    if directory.is_dir() and any(directory.iterdir()) and previous is None:
        raise ExportError(
            _("%(path)s is not empty and holds no earlier export: choose an empty directory.")
            % {"path": directory}
        )
    return site, previous


@dataclass
class _Collector:
    """Takes each rendered page's result: records its file, or why it has none, and
    returns the links it found that are still to render."""

    directory: Path
    summary: ExportSummary
    files: dict[str, str]
    sources: dict[str, str]
    kept: dict[str, str]  # the earlier export's files
    expected: set[str]  # URLs that must render
    seen: set[str]
    known: set[str]  # an incremental export's URLs already in the copy
    full: bool
    queued: int
    progress: Callable[[int, int, str], None] | None
    linked_from: dict[str, str] = field(default_factory=dict)
    search_fields: dict[int, dict] = field(default_factory=dict)
    done: int = 0

    def take(self, result: _Result) -> list[str]:
        self.done += 1
        if result.search is not None:
            self.search_fields[result.search["i"]] = result.search
        self._file_record(result)
        new = []
        for link in sorted(result.links):
            if link in self.seen or _skipped(link) or (not self.full and link in self.known):
                continue
            self.seen.add(link)
            self.linked_from[link] = result.url
            new.append(link)
        if self.progress:
            self.progress(self.done, self.done + self.queued + len(new), result.url)
        return new

    def _file_record(self, result: _Result) -> None:
        file, files, sources, summary = result.file, self.files, self.sources, self.summary
        if result.status >= 500 or (result.url in self.expected and result.status >= 400):
            # The file it had stays, as it was signed: the page failed, it did not go.
            summary.failed.append((result.url, result.status))
            if file in self.kept and (self.directory / file).is_file():
                files[file], sources[file] = self.kept[file], result.url
        elif result.status == 200:
            files[file] = result.digest
            sources[file] = result.url
            if result.written:
                summary.written.append(file)
                summary.bytes_written += result.size
        elif file in files and sources.get(file) == result.url:
            del files[file]
            del sources[file]
            (self.directory / file).unlink(missing_ok=True)
            summary.removed.append(file)
        elif result.url != NOT_FOUND_URL:
            summary.broken.append((result.url, result.status, self.linked_from.get(result.url, "")))


def _export_prune(*, directory: Path, files: dict[str, str], summary: ExportSummary) -> None:
    """A full export removes what it did not write, and the folders left empty."""
    for path in sorted(directory.rglob("*")):
        name = path.relative_to(directory).as_posix()
        if path.is_file() and name not in files and name not in NOT_IN_MANIFEST:
            path.unlink()
            summary.removed.append(name)
    for path in sorted(directory.rglob("*"), reverse=True):
        if path.is_dir() and not any(path.iterdir()):
            path.rmdir()


def site_export(
    *,
    directory: Path,
    base_url: str = "",
    incremental: bool = False,
    jobs: int = 1,
    key: Path | None = None,
    progress: Callable[[int, int, str], None] | None = None,
) -> ExportSummary:
    """Export every public page, feed, sitemap, document and asset into `directory`, signed.

    `incremental`: only what changed since the last export into `directory` (a full
    export when there was none, or when a change may touch any page).
    Files are rewritten only when their bytes change.
    """
    began = time.monotonic()
    directory = directory.resolve()
    key = key or mirror_key_path()
    base_url = base_url.rstrip("/")
    site, previous = _export_target(directory=directory, base_url=base_url, key=key)
    directory.mkdir(parents=True, exist_ok=True)
    fresh = not any(directory.iterdir())
    started_at = timezone.now()

    page_ids: set[int] = set()
    full = True
    if incremental and previous and previous.finished_at and previous.base_url == base_url:
        page_ids, full = changes_since(since=previous.started_at)
    summary = ExportSummary(incremental=not full)
    sources: dict[str, str] = {} if full else dict(previous.sources)
    public = public_page_paths(site=site)
    pages_map = _pages_map(public)
    queue = _export_queue(full=full, public=public, page_ids=page_ids, previous=previous, site=site)
    # A language's home is a public page where the language has one.
    homes = {f"{prefix}/" for prefix in _language_prefixes().values()}
    collector = _Collector(
        directory=directory,
        summary=summary,
        files={} if full else dict(previous.files),
        sources=sources,
        kept=dict(previous.files) if previous else {},
        expected={url for _page, url in public} | (set(_fixed_urls()) - homes),
        seen=set(queue),
        known=set() if full else set(sources.values()),
        full=full,
        queued=len(queue),
        progress=progress,
    )
    options = {"directory": directory, "site_id": site.pk, "base_url": base_url}
    options.update(made_at=started_at, page_ids={url: page.pk for page, url in public}, fresh=fresh)
    # Rendering switches the thread's language page by page; whoever called keeps theirs.
    # What pages share is read once; what every page needs of a kind is loaded for the
    # whole site at once, which is worth it for many pages, not for the few an
    # incremental export usually renders.
    whole_site = len(queue) >= _POOL_MIN_URLS
    with translation.override(translation.get_language()), snapshot_reads(whole_site=whole_site):
        _crawl(queue=queue, take=collector.take, jobs=jobs, options=options)
    summary.rendered = collector.done
    files = collector.files

    _search_indexes_write(
        directory=directory, public=public, files=files, sources=sources,
        page_ids=None if full else page_ids, search_fields=collector.search_fields,
        summary=summary,
    )  # fmt: skip
    if full:
        _export_prune(directory=directory, files=files, summary=summary)
    manifest_sign(directory=directory, files=files, key=key)
    _export_record(
        directory=directory, base_url=base_url, started_at=started_at, full=full,
        collector=collector, pages_map=pages_map,
    )  # fmt: skip
    summary.files = len(files)
    summary.bytes = sum((directory / name).stat().st_size for name in files)
    summary.seconds = time.monotonic() - began
    return summary


def _export_queue(*, full: bool, public, page_ids, previous, site) -> list[str]:
    """The URLs to render first: every page and fixed URL, or those a change affects."""
    if full:
        queue = list(dict.fromkeys([url for _page, url in public] + _fixed_urls()))
    else:
        queue = sorted(_affected_urls(page_ids=page_ids, previous=previous, site=site))
    queue.append(NOT_FOUND_URL)
    return queue


def _pages_map(public) -> dict[str, dict]:
    dated = [page.pk for page, _url in public if page.content_type_id == _update_type_id()]
    tags = _update_tags(dated)
    dates = _update_dates(dated)
    return {str(page.pk): _page_record(page, url, tags, dates) for page, url in public}


def _export_record(
    *, directory: Path, base_url: str, started_at, full: bool, collector: _Collector, pages_map
) -> None:
    """What the next (incremental) export starts from."""
    MirrorExport.objects.update_or_create(
        directory=str(directory),
        defaults={
            "base_url": base_url,
            "started_at": started_at,
            "finished_at": timezone.now(),
            "files": collector.files,
            "sources": collector.sources,
            "pages": pages_map,
            # After a failure, the next refresh is a full export, which renders it again.
            **(
                {"full_at": None}
                if collector.summary.failed
                else {"full_at": started_at}
                if full
                else {}
            ),
        },
    )


def _crawl(*, queue: list[str], take, jobs: int, options: dict) -> None:
    """Render the queue, and what each page links to, until nothing new is found."""
    if jobs > 1 and _in_memory():
        jobs = 1  # forked workers would not see an in-memory database
    if len(queue) < _POOL_MIN_URLS:
        # Starting workers, each loading what pages share, costs more than it saves.
        jobs = 1
    if jobs == 1:
        worker = _Worker(**options)
        while queue:
            batch, queue = queue[:_BATCH], queue[_BATCH:]
            for result in worker.do_batch(batch):
                queue += take(result)
        return
    connections.close_all()
    context = multiprocessing.get_context("fork")
    pending = deque(queue)
    done: SimpleQueue = SimpleQueue()
    in_flight = 0
    whole_site = snapshot_whole_site()
    with context.Pool(jobs, initializer=_worker_start, initargs=(options, whole_site)) as pool:
        while pending or in_flight:
            # Links found on a page go out as soon as a worker is free: a listing's
            # pagination reveals its pages a few at a time, and waiting for a whole
            # round of pages before sending them left a worker idle at each round's end.
            while pending and in_flight < 2 * jobs:
                batch = [pending.popleft() for _ in range(min(_BATCH, len(pending)))]
                pool.apply_async(
                    _worker_do_batch, (batch,), callback=done.put, error_callback=done.put
                )
                in_flight += 1
            results = done.get()
            in_flight -= 1
            if isinstance(results, BaseException):
                raise results
            # Found links go first, so that chains of them (pagination) move on while
            # the bulk of pages keeps both workers busy to the end.
            for result in results:
                pending.extendleft(reversed(take(result)))


def _in_memory() -> bool:
    connection = connections["default"]
    return connection.vendor == "sqlite" and connection.is_in_memory_db()


def _search_indexes_write(
    *, directory, public, files, sources, page_ids, search_fields, summary
) -> None:
    """One index per language; an incremental export only refreshes the changed pages.

    `search_fields`: what the export's workers took of the pages they rendered, by page
    id; pages it lacks are loaded here.
    """
    by_language: dict[str, list] = {}
    for page, url in public:
        by_language.setdefault(page.language, []).append((page, url))
    changed_keys = set()
    if page_ids is not None:
        changed_keys = set(
            Page.objects.filter(pk__in=page_ids).values_list("translation_key", flat=True)
        )
    prefixes = _language_prefixes()
    for locale in Locale.objects.all():
        prefix = prefixes.get(locale.language_code)
        if prefix is None:
            continue
        index_file = search_index.search_index_file(prefix=prefix)
        search_file = url_file(search_index.search_page_url(prefix=prefix))
        path = directory / index_file
        entries_by_page = {}
        wanted = by_language.get(locale.language_code, [])
        if page_ids is None:
            todo = wanted
        else:
            live_ids = {page.pk for page, _url in wanted}
            entries_by_page = {
                entry["i"]: entry
                for entry in search_index.search_index_read(path=path)
                if entry["i"] in live_ids
            }
            todo = [(page, url) for page, url in wanted if page.translation_key in changed_keys]
        missing = [page.pk for page, _url in todo if page.pk not in search_fields]
        for page in Page.objects.filter(pk__in=missing).specific():
            search_fields[page.pk] = search_index.search_fields(page=page)
        for page, url in todo:
            if page.pk in search_fields:
                entries_by_page[page.pk] = search_index.search_entry(
                    fields=search_fields[page.pk], url=url, search_file=search_file
                )
        data = search_index.search_index_write(entries=list(entries_by_page.values()))
        if _write_if_changed(path, data):
            summary.written.append(index_file)
            summary.bytes_written += len(data)
        files[index_file] = hashlib.sha256(data).hexdigest()
        sources.pop(index_file, None)


def nginx_example(*, directory: Path, port: int) -> str:
    """A server block that serves a copy as the live site is laid out (README, tests)."""
    return (
        "server {\n"
        f"    listen 127.0.0.1:{port};\n"
        f"    root {directory};\n"
        "    index index.html index.xml;\n"
        "    charset utf-8;\n"
        "    error_page 404 /404.html;\n"
        "    types { text/html html; application/xml xml; text/css css;\n"
        "            application/javascript js; image/svg+xml svg; image/x-icon ico;\n"
        "            application/pdf pdf; image/png png; image/jpeg jpg jpeg;\n"
        "            text/plain txt; application/json json; text/calendar ics;\n"
        "            text/csv csv; image/webp webp; font/woff2 woff2; }\n"
        "}\n"
    )


@task(queue_name="slow")
def mirror_refresh_task() -> None:
    """Bring the configured static copy up to date (MIRROR_EXPORT_DIR): enqueued by a
    publish, and run by the schedule every minute for every other change. One export at a
    time on all nodes (a lease): another run finds it taken and leaves it the work."""
    with lease_hold(name="mirror") as acquired:
        if acquired:
            mirror_refresh_report()


def mirror_refresh_report() -> None:
    """Bring the configured static copy up to date and say what was written on the
    worker's output."""
    summary = mirror_refresh()
    if summary is not None:
        print(
            f"Mirror refreshed: {len(summary.written)} files written in {summary.seconds:.1f} s",
            flush=True,
        )
        for url, status in summary.failed:
            print(f"Mirror refresh incomplete: {url} answered {status}", flush=True)
