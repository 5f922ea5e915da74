"""Planning and applying a WordPress import.

`import_plan` reads and checks everything (the export, every upload file,
every body) and decides, item by item, whether it is created, updated or
skipped, without writing anything. `import_apply` then writes the plan in one
transaction; upload files it stored are removed again if anything fails.
"""

import datetime as dt
import hashlib
import json
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files import File
from django.db import transaction
from django.utils import timezone, translation
from django.utils.text import slugify
from django.utils.translation import gettext as _
from PIL import Image as PILImage
from taggit.models import Tag
from wagtail.contrib.redirects.models import Redirect
from wagtail.models import Collection, Locale, Page, Revision, Site

from vigil.images.models import CampaignImage
from vigil.library import services as library_services
from vigil.library.models import DocumentLanguage, LibraryDocument
from vigil.news.models import TagTranslation, UpdateIndexPage, UpdatePage, UpdateReference
from vigil.pages.models import HomePage, StandardPage, StandardPageReference

from ..models import WordPressItem
from .content import (
    Attachment,
    AttachmentIndex,
    content_convert,
    placeholders_resolve,
    text_plain,
)
from .errors import WordPressImportError
from .text import text_fit
from .wxr import WxrItem, WxrSite, wxr_parse

# Bump when the conversion changes, so that a re-import rewrites what it produced before.
CONVERTER_VERSION = "2"
# The version imports had when they still copied a post's opening into its summary.
LEGACY_CONVERTER_VERSION = "1"
IMAGE_EXTENSIONS = {"png", "jpg", "jpeg", "gif", "webp"}
SUMMARY_LENGTH = 300
UNTITLED_WORDS = 8
UNTITLED_LENGTH = 60
IGNORED_CATEGORIES = {"uncategorized"}
# What becomes of a WordPress page that Vigil already has (same title, same address).
EXISTING_PAGES = ("skip", "replace", "beside")
PUBLISHED = "publish"
SCHEDULED = "future"
DRAFT_STATUSES = {"draft", "pending", "private"}

Progress = Callable[[int, int, str], None]


@dataclass
class ReportLine:
    kind: str
    wp_id: int
    title: str
    reason: str = ""


@dataclass
class ImportReport:
    created: list[ReportLine] = field(default_factory=list)
    updated: list[ReportLine] = field(default_factory=list)
    skipped: list[ReportLine] = field(default_factory=list)
    notes: list[ReportLine] = field(default_factory=list)
    comments_ignored: int = 0
    redirects_created: int = 0
    pin: "PinOutcome | None" = None
    dry_run: bool = False


@dataclass
class PinOutcome:
    """What becomes of the pinned update. Decided while planning, so that the dry run
    reports exactly what the real run does."""

    action: str  # "pin", "pinned" (already), "keep" (an editor's pin) or "untranslated"
    sticky: str  # the sticky post's title
    wp_id: int
    current: str = ""  # the title of the update that keeps the pin


@dataclass
class PlannedItem:
    item: WxrItem
    kind: str  # "update", "page", "image" or "document"
    action: str  # "create", "update" or "skip"
    reason: str
    mapping: WordPressItem | None
    content_hash: str = ""
    # What an import by the previous converter stored for the same post (its summary a
    # copy of the opening), and whether this import's summary differs from that one.
    legacy_hash: str = ""
    summary_cleared: bool = False
    data: dict = field(default_factory=dict)
    file_path: Path | None = None
    notes: list[str] = field(default_factory=list)
    # A page Vigil already had with this title and address (--existing-pages).
    existing: Page | None = None

    @property
    def title(self) -> str:
        """The title for the report: WordPress's, or the one given to an untitled post."""
        return self.item.title or self.data.get("title", "")

    @property
    def label(self) -> str:
        return {
            "update": _("update"),
            "page": _("page"),
            "image": _("image"),
            "document": _("document"),
        }.get(self.kind, self.item.post_type)


@dataclass
class ImportPlan:
    site: WxrSite
    locale: Locale
    home: HomePage
    index: UpdateIndexPage
    wagtail_site: Site | None
    attachments: list[PlannedItem]
    pages: list[PlannedItem]  # parents before children
    updates: list[PlannedItem]  # oldest first
    report: ImportReport
    source: str


# -- planning --------------------------------------------------------------------------


def _tree(*, language: str) -> tuple[Locale, HomePage, UpdateIndexPage, Site | None]:
    languages = dict(settings.LANGUAGES)
    if language not in languages:
        raise WordPressImportError(
            _("Unknown language %(code)s: choose one of %(codes)s.")
            % {"code": language, "codes": ", ".join(languages)}
        )
    locale = Locale.objects.filter(language_code=language).first()
    home = HomePage.objects.filter(locale=locale).first() if locale else None
    if home is None:
        raise WordPressImportError(
            _("There is no home page in %(language)s yet: create the site's pages first.")
            % {"language": languages[language]}
        )
    index = UpdateIndexPage.objects.child_of(home).filter(locale=locale).first()
    if index is None:
        raise WordPressImportError(
            _("The %(language)s home page has no updates index for the posts to go under.")
            % {"language": languages[language]}
        )
    site = (
        Site.objects.filter(root_page__translation_key=home.translation_key).first()
        or Site.objects.filter(is_default_site=True).first()
    )
    return locale, home, index, site


def _hash(data, *, version: str | None = None) -> str:
    encoded = json.dumps([version or CONVERTER_VERSION, data], sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(encoded.encode()).hexdigest()


def _decide(planned: PlannedItem) -> None:
    """Create, update or skip, by what the previous import left and what editors did since."""
    mapping = planned.mapping
    if mapping is None:
        planned.action, planned.reason = "create", ""
        return
    target = mapping.target
    edited = (
        bool(mapping.page_id)
        and target is not None
        and (mapping.revision_id != target.latest_revision_id)
    )
    if target is None:
        planned.action = "skip"
        planned.reason = _("deleted in Vigil since the last import; not created again")
    elif mapping.content_hash == planned.content_hash:
        planned.action, planned.reason = "skip", _("unchanged")
    elif planned.legacy_hash and mapping.content_hash == planned.legacy_hash:
        # Unchanged in WordPress since an import by the previous converter: converted
        # again (its summary cleared if that import copied the opening); editors' work stays.
        if edited:
            planned.action, planned.reason = "skip", _("unchanged")
        elif planned.summary_cleared:
            planned.action = "update"
            planned.reason = _(
                "unchanged in WordPress; its summary, which an earlier import copied from its "
                "text (readers saw it twice), is cleared"
            )
        else:
            planned.action = "update"
            planned.reason = _("unchanged in WordPress; converted again by this importer")
    elif edited:
        planned.action = "skip"
        planned.reason = _("changed in WordPress, but editors have changed it in Vigil since")
    else:
        planned.action, planned.reason = "update", _("changed in WordPress")


def _upload_relative(item: WxrItem) -> str:
    relative = item.meta.get("_wp_attached_file", "").strip()
    if not relative and "/wp-content/uploads/" in item.attachment_url:
        relative = item.attachment_url.split("/wp-content/uploads/", 1)[1]
    return urllib.parse.unquote(relative).lstrip("/")


def _file_check(*, kind: str, path: Path) -> None:
    """Refuse a file that is not what its name says, before anything is written."""
    if kind == "image":
        try:
            with PILImage.open(path) as image:
                image.verify()
        except Exception as error:  # Pillow raises many kinds for a broken file
            raise WordPressImportError(
                _("%(path)s is not a readable image: %(error)s") % {"path": path, "error": error}
            ) from None
        return
    with open(path, "rb") as handle:
        try:
            library_services.document_inspect(file=File(handle, name=path.name))
        except ValidationError as error:
            raise WordPressImportError(
                _("%(path)s cannot go into the library: %(error)s")
                % {"path": path, "error": " ".join(error.messages)}
            ) from None


def _plan_attachments(
    *, site: WxrSite, uploads: Path | None, mappings: dict[int, WordPressItem]
) -> tuple[list[PlannedItem], AttachmentIndex]:
    planned_items = []
    described = []
    missing = []
    root = uploads.resolve() if uploads else None
    document_extensions = set(getattr(settings, "WAGTAILDOCS_EXTENSIONS", []))
    for item in site.items:
        if item.post_type != "attachment":
            continue
        relative = _upload_relative(item)
        extension = relative.rsplit(".", 1)[-1].lower() if "." in relative else ""
        kind = "image" if extension in IMAGE_EXTENSIONS else "document"
        alt = text_plain(html_text=item.meta.get("_wp_attachment_image_alt", ""))
        title = text_plain(html_text=item.title) or relative.rsplit("/", 1)[-1]
        described.append(
            Attachment(
                wp_id=item.wp_id,
                kind=kind,
                url=item.attachment_url,
                relative_path=relative,
                title=title,
                alt=alt,
                parent_id=item.parent_id,
            )
        )
        planned = PlannedItem(
            item=item, kind=kind, action="skip", reason="", mapping=mappings.get(item.wp_id)
        )
        planned_items.append(planned)
        if kind == "document" and extension not in document_extensions:
            planned.reason = _("the library does not take .%(extension)s files") % {
                "extension": extension or "?"
            }
            continue
        if root is None:
            planned.reason = _("no --uploads folder given")
            continue
        path = (root / relative).resolve()
        if not relative or not path.is_relative_to(root):
            raise WordPressImportError(
                _("Attachment %(id)s names a file outside the uploads folder: %(file)s")
                % {"id": item.wp_id, "file": relative or "?"}
            )
        if not path.is_file():
            missing.append(relative)
            continue
        _file_check(kind=kind, path=path)
        planned.file_path = path
        title = text_fit(text=title, limit=255, what=_("the title"), notes=planned.notes)
        planned.data = {"title": title, "alt": alt, "date": _iso(item.date_gmt)}
        planned.content_hash = _hash(
            [planned.data, kind, hashlib.sha256(path.read_bytes()).hexdigest()]
        )
        _decide(planned)
    if missing:
        raise WordPressImportError(
            _("These attachments are missing from %(folder)s: %(files)s")
            % {"folder": uploads, "files": ", ".join(missing)}
        )
    available = {
        p.item.wp_id
        for p in planned_items
        if p.action in ("create", "update") or (p.mapping is not None and p.mapping.target)
    }
    return planned_items, AttachmentIndex(attachments=described, available=available)


def _iso(value: dt.datetime | None) -> str:
    return value.isoformat() if value else ""


def _slug_base(item: WxrItem, title: str) -> str:
    # An untitled post's WordPress slug is its ID: the title it is given reads better.
    wordpress_slug = slugify(item.slug, allow_unicode=True)[:200] if item.title else ""
    return (
        wordpress_slug
        or slugify(title, allow_unicode=True)[:200]
        or f"{item.post_type}-{item.wp_id}"
    )


def _tag_names(item: WxrItem, notes: list[str]) -> list[str]:
    names = []
    for term in item.terms:
        if term.domain == "post_tag" or (
            term.domain == "category" and term.slug not in IGNORED_CATEGORIES
        ):
            name = text_fit(
                text=text_plain(html_text=term.name), limit=100, what=_("a tag"), notes=notes
            )
            if name and name not in names:
                names.append(name)
    return names


def _summary(item: WxrItem, notes: list[str]) -> str:
    """WordPress's excerpt, else nothing: the update page shows the summary above the
    text, so a copy of the opening would be read twice (UpdatePage.teaser covers lists)."""
    return text_fit(
        text=text_plain(html_text=item.excerpt), limit=400, what=_("the excerpt"), notes=notes
    )


def _summary_legacy(item: WxrItem, first_text: str) -> str:
    """The summary imports stored before it was left empty, to recognise their posts."""
    summary = text_plain(html_text=item.excerpt)
    if summary:
        return summary[:400]
    if first_text and len(first_text) > SUMMARY_LENGTH:
        cut = first_text[:SUMMARY_LENGTH].rsplit(" ", 1)[0]
        first_text = cut.rstrip(",;:") + "…"
    return first_text or text_plain(html_text=item.title)


def _status_plan(planned: PlannedItem) -> str | None:
    """The status the page gets in Vigil, or None (with the reason) when it is not imported."""
    status = planned.item.status
    if status == "trash":
        planned.reason = _("in WordPress's trash")
        return None
    if status not in (PUBLISHED, SCHEDULED) and status not in DRAFT_STATUSES:
        planned.reason = _("status %(status)s is not imported") % {"status": status or "?"}
        return None
    if planned.item.password and status in (PUBLISHED, SCHEDULED):
        planned.notes.append(_("password-protected in WordPress: imported as a draft"))
        return "draft"
    if status in ("pending", "private"):
        planned.notes.append(_("%(status)s in WordPress: imported as a draft") % {"status": status})
    return status


def _untitled_title(*, item: WxrItem, first_text: str, language: str) -> str:
    """A title for a post WordPress has none for: its first words, else its date."""
    words, title = first_text.split(), ""
    for count, word in enumerate(words[:UNTITLED_WORDS], start=1):
        if len(title) + len(word) + 1 > UNTITLED_LENGTH:
            break
        title = f"{title} {word}".strip()
        if count == len(words):
            return title
    if title:
        return title.rstrip(",;:.–—-") + "…"
    day = item.date_local or item.date_gmt or timezone.now()
    # The title is the page's content: in the language of the tree it goes into.
    with translation.override(language):
        return _("Untitled, %(date)s") % {"date": day.date().isoformat()}


def _plan_item(
    *,
    item: WxrItem,
    kind: str,
    site: WxrSite,
    attachments: AttachmentIndex,
    mapping,
    language: str,
) -> PlannedItem:
    planned = PlannedItem(item=item, kind=kind, action="skip", reason="", mapping=mapping)
    status = _status_plan(planned)
    if status is None:
        return planned
    converted = content_convert(
        content=item.content,
        attachments=attachments,
        post_id=item.wp_id,
        base_url=site.base_site_url,
    )
    planned.notes.extend(converted.notes)
    title = text_fit(
        text=text_plain(html_text=item.title), limit=255, what=_("the title"), notes=planned.notes
    )
    if not title:
        # Published as "Untitled", it would be listed under a name nobody chose.
        title = _untitled_title(item=item, first_text=converted.first_text, language=language)
        status = "draft" if status in (PUBLISHED, SCHEDULED) else status
        planned.notes.append(
            _(
                "no title in WordPress: imported as a draft with this title, for editors to "
                "correct and publish"
            )
        )
    date = item.date_gmt or timezone.now()
    modified = item.modified_gmt
    updated_at = modified if modified and modified - date >= dt.timedelta(minutes=1) else None
    fit = partial(text_fit, notes=planned.notes)
    planned.data = {
        "title": title,
        "slug_base": _slug_base(item, title),
        "date": _iso(date),
        "updated_at": _iso(updated_at),
        "author": fit(
            text=site.authors.get(item.author, item.author), limit=120, what=_("the byline")
        ),
        "summary": _summary(item, planned.notes) if kind == "update" else "",
        "body": converted.blocks,
        "references": converted.references,
        "tags": _tag_names(item, planned.notes) if kind == "update" else [],
        "status": status,
        "parent": item.parent_id if kind == "page" else 0,
        "menu_order": item.menu_order,
    }
    planned.content_hash = _hash(planned.data)
    if kind == "update":
        legacy = {**planned.data, "summary": _summary_legacy(item, converted.first_text)}
        planned.legacy_hash = _hash(legacy, version=LEGACY_CONVERTER_VERSION)
        planned.summary_cleared = legacy["summary"] != planned.data["summary"]
    _decide(planned)
    return planned


def _pages_ordered(pages: list[PlannedItem]) -> list[PlannedItem]:
    """Parents before their children, whatever order the export lists them in."""
    by_id = {p.item.wp_id: p for p in pages}
    ordered, seen = [], set()

    def visit(planned: PlannedItem, trail: set[int]):
        wp_id = planned.item.wp_id
        if wp_id in seen or wp_id in trail:
            return
        parent = by_id.get(planned.item.parent_id)
        if parent is not None:
            visit(parent, trail | {wp_id})
        seen.add(wp_id)
        ordered.append(planned)

    for planned in pages:
        visit(planned, set())
    return ordered


def import_plan(
    *, path: Path, uploads: Path | None, language: str, existing_pages: str = "skip"
) -> ImportPlan:
    """Everything the import would do, checked, with nothing written."""
    if uploads is not None and not uploads.is_dir():
        raise WordPressImportError(
            _("The uploads folder %(path)s does not exist.") % {"path": uploads}
        )
    if existing_pages not in EXISTING_PAGES:
        raise WordPressImportError(
            _("--existing-pages takes %(choices)s, not %(value)s.")
            % {"choices": ", ".join(EXISTING_PAGES), "value": existing_pages}
        )
    site = wxr_parse(path=path)
    locale, home, index, wagtail_site = _tree(language=language)
    source = site.base_blog_url or site.base_site_url or site.title
    mappings = {
        m.wp_id: m
        for m in WordPressItem.objects.filter(source=source, locale=locale).select_related(
            "page", "document", "image"
        )
    }
    attachments, index_of_attachments = _plan_attachments(
        site=site, uploads=uploads, mappings=mappings
    )
    plan = ImportPlan(
        site=site,
        locale=locale,
        home=home,
        index=index,
        wagtail_site=wagtail_site,
        attachments=attachments,
        pages=[],
        updates=[],
        report=ImportReport(),
        source=source,
    )
    _posts_plan(plan=plan, attachments=index_of_attachments, mappings=mappings)
    _slugs_assign(plan=plan, existing_pages=existing_pages)
    plan.report.pin = _pin_plan(plan=plan)
    _report_fill(plan=plan)
    return plan


def _posts_plan(*, plan: ImportPlan, attachments: AttachmentIndex, mappings: dict) -> None:
    """Plan every post and page; other kinds of item are reported as not imported."""
    pages = []
    for item in plan.site.items:
        plan.report.comments_ignored += item.comment_count
        if item.post_type in ("post", "page"):
            kind = "update" if item.post_type == "post" else "page"
            planned = _plan_item(
                item=item,
                kind=kind,
                site=plan.site,
                attachments=attachments,
                mapping=mappings.get(item.wp_id),
                language=plan.locale.language_code,
            )
            (plan.updates if kind == "update" else pages).append(planned)
        elif item.post_type != "attachment":
            plan.report.skipped.append(
                ReportLine(
                    kind=item.post_type,
                    wp_id=item.wp_id,
                    title=item.title,
                    reason=_("this kind of WordPress item is not imported"),
                )
            )
    plan.updates.sort(key=lambda p: (p.item.date_gmt or timezone.now(), p.item.wp_id))
    plan.pages = _pages_ordered(pages)


def _stickies(plan: ImportPlan) -> list[PlannedItem]:
    """Published sticky posts that have a page in Vigil after the import, oldest first."""
    return [
        p
        for p in plan.updates
        if p.item.is_sticky
        and p.data.get("status") == PUBLISHED
        and (p.action != "skip" or (p.mapping is not None and p.mapping.page_id))
    ]


def _pin_plan(*, plan: ImportPlan) -> PinOutcome | None:
    """Whether the newest sticky post takes the pin: decided here for both runs.

    A pin an editor chose stays. The import only moves a pin it set itself: one on a
    post from the same WordPress site, with the updates list not saved by a person since.
    """
    stickies = _stickies(plan)
    if not stickies:
        return None
    sticky = stickies[-1]
    outcome = PinOutcome(action="pin", sticky=sticky.data["title"], wp_id=sticky.item.wp_id)
    index = plan.index
    if index.alias_of_id is not None:
        outcome.action = "untranslated"
        return outcome
    current = index.get_latest_revision_as_object().pinned_update_id
    sticky_page = sticky.mapping.page_id if sticky.mapping else None
    if current is None:
        return outcome
    if current == sticky_page:
        outcome.action = "pinned"
        return outcome
    set_by_import = WordPressItem.objects.filter(
        source=plan.source, locale=plan.locale, page_id=current
    ).exists()
    saved_by_a_person = Revision.objects.filter(
        pk=index.latest_revision_id, user__isnull=False
    ).exists()
    if not set_by_import or saved_by_a_person:
        outcome.action = "keep"
        outcome.current = (
            Page.objects.filter(pk=current).values_list("title", flat=True).first() or ""
        )
    return outcome


def _report_fill(*, plan: ImportPlan) -> None:
    """A line per item under what the import does with it, and the notes of what it writes."""
    report = plan.report
    for planned in [*plan.attachments, *plan.pages, *plan.updates]:
        line = ReportLine(
            kind=planned.label, wp_id=planned.item.wp_id, title=planned.title, reason=planned.reason
        )
        {"create": report.created, "update": report.updated, "skip": report.skipped}[
            planned.action
        ].append(line)
        if planned.action != "skip":
            for note in planned.notes:
                report.notes.append(
                    ReportLine(
                        kind=planned.label,
                        wp_id=planned.item.wp_id,
                        title=planned.title,
                        reason=note,
                    )
                )
    stickies = _stickies(plan)
    if len(stickies) > 1:
        report.notes.append(
            ReportLine(
                kind=_("update"),
                wp_id=stickies[-1].item.wp_id,
                title=stickies[-1].title,
                reason=_("several sticky posts: the newest is pinned"),
            )
        )


class _Siblings:
    """The slugs of the pages under each parent, read once per parent, with the titles
    of the pages already in Vigil (None for the addresses this import takes)."""

    def __init__(self):
        self._by_parent: dict[object, dict[str, str | None]] = {}

    def of(self, key, parent_page: Page | None) -> dict[str, str | None]:
        if key not in self._by_parent:
            self._by_parent[key] = (
                dict(Page.objects.child_of(parent_page).values_list("slug", "title"))
                if parent_page is not None
                else {}
            )
        return self._by_parent[key]


def _parent_of(planned: PlannedItem, *, plan: ImportPlan, pages_by_id: dict):
    """Where the page goes: a key for its siblings, and the parent page when it exists."""
    if planned.kind == "update":
        return ("index", plan.index.pk), plan.index
    parent = pages_by_id.get(planned.data["parent"])
    if parent is not None and parent.data:
        parent_page = parent.existing or (parent.mapping.page if parent.mapping else None)
        return ("wp", parent.item.wp_id), parent_page
    if planned.data["parent"]:
        planned.notes.append(_("its parent page is not imported: placed at the top"))
    planned.data["parent"] = 0
    return ("home", plan.home.pk), plan.home


def _slugs_assign(*, plan: ImportPlan, existing_pages: str) -> None:
    """A slug for every new page that no sibling has; updated pages keep theirs. A page
    Vigil already has under the same title and address is handled as --existing-pages says.
    """
    siblings = _Siblings()
    pages_by_id = {p.item.wp_id: p for p in plan.pages}
    for planned in [*plan.pages, *plan.updates]:
        if not planned.data:
            continue
        key, parent_page = _parent_of(planned, plan=plan, pages_by_id=pages_by_id)
        used = siblings.of(key, parent_page)
        current = planned.mapping.page.slug if planned.mapping and planned.mapping.page else None
        if current:
            planned.data["slug"] = current
            used[current] = None
            continue
        base = planned.data["slug_base"]
        twin = None
        if planned.kind == "page" and planned.action == "create" and used.get(base):
            twin = _existing_twin(planned, parent_page=parent_page, slug=base, title=used[base])
            if twin is not None and existing_pages != "beside":
                _existing_page_take(planned, page=twin, mode=existing_pages)
                continue
        slug, number = base, 2
        while slug in used:
            slug = f"{base}-{number}"
            number += 1
        if twin is not None:
            url = _address(twin)
            planned.reason = _(
                "a page with this title is already at %(url)s: imported beside it at %(new)s"
            ) % {"url": url, "new": url[: -len(base) - 1] + slug + "/"}
        elif slug != base:
            planned.notes.append(
                _("address %(slug)s was taken: using %(new)s") % {"slug": base, "new": slug}
            )
        used[slug] = None
        planned.data["slug"] = slug


def _existing_twin(planned: PlannedItem, *, parent_page, slug: str, title: str) -> Page | None:
    """The page Vigil has at the address the WordPress page asks for, if its title is the
    same too: the same page, made in both places while the campaign moved."""
    if " ".join(title.split()).casefold() != planned.data["title"].casefold():
        return None
    return Page.objects.child_of(parent_page).get(slug=slug)


def _existing_page_take(planned: PlannedItem, *, page: Page, mode: str) -> None:
    """Leave the existing page as it is, or import into it ("replace"): either way its
    children and the old addresses lead to it."""
    planned.existing = page
    planned.data["slug"] = page.slug
    url = _address(page)
    if mode == "replace" and page.specific_class is StandardPage:
        planned.action = "update"
        planned.reason = _(
            "replaces the page already at %(url)s (a new revision, same address)"
        ) % {"url": url}
        return
    planned.action = "skip"
    if mode == "replace":
        planned.reason = _(
            "a page with this title is already at %(url)s; it is not a standard page, so it is "
            "left as it is"
        ) % {"url": url}
    else:
        planned.reason = _("a page with this title is already at %(url)s: left as it is") % {
            "url": url
        }


def _address(page: Page) -> str:
    """The page's address on the site, for the report (its tree path if it has none)."""
    return page.url or page.url_path


# -- applying --------------------------------------------------------------------------


def import_apply(*, plan: ImportPlan, progress: Progress | None = None) -> ImportReport:
    """Write the plan in one transaction; on any error nothing stays, files included."""
    stored_files: list = []
    try:
        with transaction.atomic():
            _apply(plan=plan, progress=progress, stored_files=stored_files)
    except BaseException:
        for stored in stored_files:
            stored.storage.delete(stored.name)
        raise
    return plan.report


def _apply(*, plan: ImportPlan, progress: Progress | None, stored_files: list) -> None:
    work = [*plan.attachments, *plan.pages, *plan.updates]
    total = len(work)
    targets: dict[int, object] = {
        wp_id: mapping.target
        for wp_id, mapping in (
            (p.item.wp_id, p.mapping) for p in plan.attachments if p.mapping is not None
        )
        if mapping.target is not None
    }
    pages: dict[int, Page] = {}
    for done, planned in enumerate(work, start=1):
        if progress:
            progress(done - 1, total, planned.item.title)
        if planned.kind in ("image", "document"):
            if planned.action != "skip":
                targets[planned.item.wp_id] = _attachment_write(
                    plan=plan, planned=planned, stored_files=stored_files
                )
            continue
        if planned.action == "skip":
            if planned.mapping is not None and planned.mapping.page is not None:
                pages[planned.item.wp_id] = planned.mapping.page
            elif planned.existing is not None:
                pages[planned.item.wp_id] = planned.existing
            continue
        pages[planned.item.wp_id] = _page_write(
            plan=plan, planned=planned, targets=targets, pages=pages
        )
    if progress:
        progress(total, total, "")
    _redirects_apply(plan=plan, pages=pages, targets=targets)
    pin = plan.report.pin
    if pin is not None and pin.action == "pin":
        _pinned_write(plan=plan, page=pages.get(pin.wp_id))


def _redirects_apply(*, plan: ImportPlan, pages: dict[int, Page], targets: dict) -> None:
    """Every old address of what was imported, and the old site's archives and feeds."""
    for planned in [*plan.pages, *plan.updates]:
        page = pages.get(planned.item.wp_id)
        if page is not None and planned.data.get("status") in (PUBLISHED, SCHEDULED):
            plan.report.redirects_created += _redirects_write(
                plan=plan, planned=planned, page=page, pages=pages
            )
    plan.report.redirects_created += _archive_redirects_write(plan=plan, pages=pages)
    for planned in plan.attachments:
        target = targets.get(planned.item.wp_id)
        if target is not None and planned.item.attachment_url:
            # A picture's original is never served (vigil/images/views.py): its full-size
            # rendition, made from the cleaned original, is.
            link = target.get_rendition("original").url if planned.kind == "image" else target.url
            plan.report.redirects_created += _redirect_add(
                plan=plan, old=planned.item.attachment_url, link=link, page=None
            )


def _attachment_write(*, plan: ImportPlan, planned: PlannedItem, stored_files: list):
    item = planned.item
    existing = planned.mapping.target if planned.mapping else None
    name = planned.file_path.name
    collection = Collection.get_first_root_node()
    with open(planned.file_path, "rb") as handle:
        if planned.kind == "image":
            image = existing or CampaignImage(collection=collection)
            image.title = planned.data["title"]
            image.file.save(name, File(handle), save=False)
            stored_files.append(image.file)
            image._set_image_file_metadata()
            image.save()
            target, fields = image, {"image": image}
        else:
            document = existing or LibraryDocument(collection=collection)
            document.title = planned.data["title"]
            if item.date_local:
                document.date = item.date_local.date()
            if plan.locale.language_code in DocumentLanguage.values:
                document.language = plan.locale.language_code
            document.file.save(name, File(handle), save=False)
            stored_files.append(document.file)
            document.save()
            target, fields = document, {"document": document}
    _mapping_write(plan=plan, planned=planned, **fields)
    return target


def _mapping_write(*, plan: ImportPlan, planned: PlannedItem, **targets) -> None:
    kind = {
        "update": WordPressItem.Kind.POST,
        "page": WordPressItem.Kind.PAGE,
    }.get(planned.kind, WordPressItem.Kind.ATTACHMENT)
    WordPressItem.objects.update_or_create(
        source=plan.source,
        locale=plan.locale,
        wp_id=planned.item.wp_id,
        defaults={"kind": kind, "content_hash": planned.content_hash, **targets},
    )


def _tag_find(name: str, language: str) -> Tag | None:
    """The tag with this name, or with this translated name in `language`."""
    tag = Tag.objects.filter(name__iexact=name).first()
    if tag is None:
        translated = (
            TagTranslation.objects.filter(name__iexact=name, language=language)
            .select_related("tag")
            .first()
        )
        tag = translated.tag if translated else None
    return tag


def _tags(names: list[str], language: str) -> list[Tag]:
    """Existing tags by name (or by their translated name), new ones with an ASCII slug."""
    tags = []
    for name in names:
        tag = _tag_find(name, language)
        if tag is None:
            base = slugify(_transliterate(name))[:90] or "tag"
            slug, number = base, 2
            while Tag.objects.filter(slug=slug).exists():
                slug = f"{base}-{number}"
                number += 1
            tag = Tag.objects.create(name=name, slug=slug)
        tags.append(tag)
    return tags


_CYRILLIC = {
    "а": "a",
    "б": "b",
    "в": "v",
    "г": "g",
    "д": "d",
    "е": "e",
    "ё": "e",
    "ж": "zh",
    "з": "z",
    "и": "i",
    "й": "i",
    "к": "k",
    "л": "l",
    "м": "m",
    "н": "n",
    "о": "o",
    "п": "p",
    "р": "r",
    "с": "s",
    "т": "t",
    "у": "u",
    "ф": "f",
    "х": "kh",
    "ц": "ts",
    "ч": "ch",
    "ш": "sh",
    "щ": "shch",
    "ъ": "-",
    "ы": "y",
    "ь": "-",
    "э": "e",
    "ю": "iu",
    "я": "ia",
    "ә": "a",
    "ғ": "g",
    "қ": "q",
    "ң": "n",
    "ө": "o",
    "ұ": "u",
    "ү": "u",
    "һ": "h",
    "і": "i",
}


def _transliterate(text: str) -> str:
    """Russian and Kazakh letters in Latin, for tag addresses (/updates/tag/<slug>/)."""
    out = []
    for char in text.lower():
        latin = _CYRILLIC.get(char, char)
        out.append("" if latin == "-" else latin)
    return "".join(out)


def _body(planned: PlannedItem, targets: dict[int, object]) -> list[dict]:
    def resolve(wp_id: int):
        target = targets.get(wp_id)
        return target.pk if target is not None else None

    blocks = placeholders_resolve(value=planned.data["body"], resolve=resolve)
    return [b for b in blocks if b["type"] != "image" or b["value"].get("image")]


def _page_write(
    *, plan: ImportPlan, planned: PlannedItem, targets: dict, pages: dict[int, Page]
) -> Page:
    data = planned.data
    is_update = planned.kind == "update"
    date = dt.datetime.fromisoformat(data["date"])
    if planned.action == "update":
        # An imported page, or the page Vigil had already (--existing-pages replace).
        existing = planned.mapping.page if planned.mapping else planned.existing
        page = existing.specific.get_latest_revision_as_object()
    else:
        page = (UpdatePage if is_update else StandardPage)(
            locale=plan.locale, slug=data["slug"], live=False
        )
    page.title = data["title"]
    page.body = _body(planned, targets)
    reference_model = UpdateReference if is_update else StandardPageReference
    page.references = [
        reference_model(sort_order=position, **reference)
        for position, reference in enumerate(data["references"])
    ]
    if is_update:
        page.date = date
        updated_at = data["updated_at"]
        page.updated_at = dt.datetime.fromisoformat(updated_at) if updated_at else None
        page.author = data["author"]
        page.summary = data["summary"]
        page.tags.set(_tags(data["tags"], plan.locale.language_code))
    else:
        page.intro = text_plain(html_text=planned.item.excerpt)
    page.go_live_at = date if data["status"] == SCHEDULED else None
    if planned.action == "create":
        parent = plan.index if is_update else (pages.get(data["parent"]) or plan.home)
        parent.add_child(instance=page)
    revision = page.save_revision(log_action=True)
    if data["status"] in (PUBLISHED, SCHEDULED):
        revision.publish()
        if data["status"] == PUBLISHED:
            last = data["updated_at"] or data["date"]
            Page.objects.filter(pk=page.pk).update(
                first_published_at=date, last_published_at=dt.datetime.fromisoformat(last)
            )
    elif page.live:
        plan.report.notes.append(
            ReportLine(
                kind=planned.label,
                wp_id=planned.item.wp_id,
                title=planned.item.title,
                reason=_(
                    "now a draft in WordPress: the published version stays, the change is a draft"
                ),
            )
        )
    _mapping_write(plan=plan, planned=planned, page=page, revision=revision)
    return page


def _redirect_add(
    *, plan: ImportPlan, old: str, link: str = "", page: Page | None, route: str = ""
) -> int:
    """One permanent redirect from an old address, unless the address is already taken.

    `route` is a path on `page` (a RoutablePage): the redirect follows the page if it moves.
    """
    parts = urllib.parse.urlsplit(old)
    path = Redirect.normalise_path(urllib.parse.urlunsplit(("", "", parts.path, parts.query, "")))
    if path in ("", "/"):
        return 0
    if page is not None and not route:
        url = page.get_url()
        if url and Redirect.normalise_path(urllib.parse.urlsplit(url).path) == path:
            return 0
    existing = Redirect.objects.filter(site=plan.wagtail_site, old_path=path).first()
    if existing is not None:
        same = (
            page is not None
            and existing.redirect_page_id == page.pk
            and existing.redirect_page_route_path == route
        ) or (page is None and existing.redirect_link == link)
        if not same:
            plan.report.notes.append(
                ReportLine(
                    kind=_("redirect"),
                    wp_id=0,
                    title=path,
                    reason=_("kept: it already leads somewhere else"),
                )
            )
        return 0
    Redirect.objects.create(
        site=plan.wagtail_site,
        old_path=path,
        is_permanent=True,
        redirect_page=page,
        redirect_page_route_path=route,
        redirect_link="" if page is not None else link,
    )
    return 1


def _site_prefix(site: WxrSite) -> str:
    """The path WordPress was installed under ("" at the root, "/blog" in a folder)."""
    return urllib.parse.urlsplit(site.base_blog_url or site.base_site_url).path.rstrip("/")


def _redirects_write(*, plan: ImportPlan, planned: PlannedItem, page: Page, pages: dict) -> int:
    """`/?p=ID`, `/index.php?p=ID`, the post's own permalink, `/YYYY/MM/DD/slug/`, `/slug/`
    and page paths."""
    item = planned.item
    prefix = _site_prefix(plan.site)
    olds = [f"/?p={item.wp_id}", f"{prefix}/index.php?p={item.wp_id}"]
    if planned.kind == "page":
        olds += [f"/?page_id={item.wp_id}", f"{prefix}/index.php?page_id={item.wp_id}"]
    if item.link and _same_site(item.link, plan.site):
        olds.append(item.link)
    if item.raw_slug:
        if planned.kind == "update" and item.date_local:
            olds.append(f"{item.date_local:/%Y/%m/%d}/{item.raw_slug}/")
        if planned.kind == "page":
            olds.append(_page_path(item, plan.site))
        olds.append(f"/{item.raw_slug}/")
    return sum(_redirect_add(plan=plan, old=old, page=page) for old in dict.fromkeys(olds))


def _archive_redirects_write(*, plan: ImportPlan, pages: dict[int, Page]) -> int:
    """The old site's feeds, tag, category, date and author archives, each to its closest
    listing of updates. Only those of the imported posts: any other stays unknown (404).
    """
    published = [
        p for p in plan.updates if p.data.get("status") == PUBLISHED and p.item.wp_id in pages
    ]
    if not published:
        return 0
    routes = dict.fromkeys(("/feed/", "/feed/rss/", "/feed/rss2/", "/feed/rdf/"), "/feed/rss/")
    routes.update({"/feed/atom/": "/feed/atom/", "/comments/feed/": "/feed/rss/"})
    for planned in published:
        routes.update(_post_archive_routes(plan=plan, planned=planned))
    prefix = _site_prefix(plan.site)
    return sum(
        _redirect_add(plan=plan, old=prefix + old, page=plan.index, route=route)
        for old, route in routes.items()
    )


def _post_archive_routes(*, plan: ImportPlan, planned: PlannedItem) -> dict[str, str]:
    """The archives one post was listed in, each with its route on the updates index
    ("" for the list itself)."""
    item = planned.item
    routes = {}
    for term in item.terms:
        if term.domain not in ("post_tag", "category"):
            continue
        base = "/tag/" if term.domain == "post_tag" else "/category/"
        name = text_plain(html_text=term.name)[:100]
        ignored = term.domain == "category" and term.slug in IGNORED_CATEGORIES
        tag = None if ignored or not name else _tag_find(name, plan.locale.language_code)
        # A category that became no tag ("Uncategorized") leads to the whole list.
        routes[f"{base}{term.slug}/"] = f"/tag/{tag.slug}/" if tag else ""
        routes[f"{base}{term.slug}/feed/"] = f"/tag/{tag.slug}/feed/rss/" if tag else "/feed/rss/"
    if item.date_local:
        # The list filters by year, not by month: a month's archive leads to its year.
        year = timezone.localtime(dt.datetime.fromisoformat(planned.data["date"])).year
        routes[f"{item.date_local:/%Y/}"] = f"/year/{year}/"
        routes[f"{item.date_local:/%Y/%m/}"] = f"/year/{year}/"
    author = slugify(item.author, allow_unicode=True)
    if author:
        # Vigil has no author pages; the byline stays on each update.
        routes[f"/author/{author}/"] = ""
    return routes


def _same_site(url: str, site: WxrSite) -> bool:
    host = urllib.parse.urlsplit(url).netloc
    return not host or host == urllib.parse.urlsplit(site.base_site_url).netloc


def _page_path(item: WxrItem, site: WxrSite) -> str:
    slugs, seen, current = [], set(), item
    while current is not None and current.wp_id not in seen:
        seen.add(current.wp_id)
        slugs.insert(0, current.raw_slug)
        current = site.item(current.parent_id) if current.parent_id else None
    return "/" + "/".join(s for s in slugs if s) + "/"


def _pinned_write(*, plan: ImportPlan, page: Page | None) -> None:
    """Pin the sticky post, as the plan decided (_pin_plan)."""
    if page is None:
        return
    index = plan.index
    latest = index.get_latest_revision_as_object()
    latest.pinned_update = UpdatePage.objects.get(pk=page.pk)
    revision = latest.save_revision(log_action=True)
    if index.live:
        revision.publish()


def wordpress_import(
    *,
    path: Path,
    uploads: Path | None = None,
    language: str | None = None,
    dry_run: bool = False,
    progress: Progress | None = None,
    existing_pages: str = "skip",
) -> ImportReport:
    """Import a WordPress export into the `language` tree (default: the site's language).

    `existing_pages`: what becomes of a WordPress page that Vigil already has under the
    same title and address: "skip" (left as it is), "replace" (a new revision of it with
    the imported content) or "beside" (imported next to it under another address).
    """
    plan = import_plan(
        path=path,
        uploads=uploads,
        language=language or settings.LANGUAGE_CODE,
        existing_pages=existing_pages,
    )
    plan.report.dry_run = dry_run
    if dry_run:
        return plan.report
    return import_apply(plan=plan, progress=progress)
