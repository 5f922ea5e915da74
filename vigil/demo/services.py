"""Build the demo campaign from the data files in `vigil/demo/data/`.

Only what is missing is created: a second run changes nothing, and pages an
editor has changed since are left as they are.
"""

import datetime as dt
import secrets
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import yaml
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import translation
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext
from fpdf import FPDF
from taggit.models import Tag
from wagtail.models import Locale, Page, Site
from wagtail_localize.synctree import synchronize_tree

from vigil.accounts.services import enrolment_link_file_ensure
from vigil.actions.models import ExternalPetition, ExternalPetitionCount, PetitionPage
from vigil.cases.models import (
    CaseIndexPage,
    CasePage,
    Charge,
    Deadline,
    DetentionOrder,
    InternationalDecision,
    TimelineEvent,
    TimelineEventTranslation,
    TimelineSource,
)
from vigil.core.models import CampaignSettings
from vigil.core.services import html_sanitise
from vigil.images.models import CampaignImage
from vigil.library.models import LibraryDocument, LibraryPage
from vigil.news.models import (
    Series,
    SeriesTranslation,
    TagTranslation,
    UpdateIndexPage,
    UpdatePage,
    UpdateReference,
)
from vigil.pages.models import HomePage, StandardPage, StandardPageReference
from vigil.support.models import Statement, SupportRegisterPage

from .portrait import demo_portrait_jpeg

DATA_DIR = Path(__file__).resolve().parent / "data"


@dataclass
class DemoReport:
    created: list[str] = field(default_factory=list)
    admin_password: str | None = None
    admin_password_file: Path | None = None
    # The one-time link through which the administrator sets up two-factor (kept in var/).
    admin_enrolment_link: str | None = None

    def note(self, what: str) -> None:
        self.created.append(what)


def _read(name: str, data_dir: Path):
    with open(data_dir / name, encoding="utf-8") as handle:
        return yaml.safe_load(handle)


def _stream(blocks: list[dict]) -> list[dict]:
    """Demo body blocks as StreamField data, rich text sanitised on the way in."""
    stream = []
    for block in blocks:
        kind = block["type"]
        if kind == "paragraph":
            stream.append({"type": "paragraph", "value": html_sanitise(html=block["html"])})
        elif kind == "heading":
            stream.append(
                {
                    "type": "heading",
                    "value": {"text": block["text"], "level": block.get("level", "h2")},
                }
            )
        elif kind == "quote":
            stream.append(
                {
                    "type": "quote",
                    "value": {
                        "text": block["text"],
                        "attribution": block.get("attribution") or "",
                        "source_url": block.get("source_url") or "",
                    },
                }
            )
        else:
            raise ValueError(f"Unknown demo block type {kind!r}")
    return stream


def _references(model, page, items: list[dict], *, original=None):
    """The page's references; a translation's take the translation keys of the
    `original`'s at the same position (as wagtail-localize links them)."""
    keys = [r.translation_key for r in original.references.all()] if original else []
    return [
        model(
            page=page,
            locale_id=page.locale_id,
            translation_key=keys[position] if position < len(keys) else uuid.uuid4(),
            sort_order=position,
            title=item["title"],
            publisher=item.get("publisher") or "",
            published_on=dt.date.fromisoformat(str(item["date"])) if item.get("date") else None,
            url=item.get("url") or "",
            document=_library_copy(item.get("url")),
        )
        for position, item in enumerate(items)
    ]


def _library_copy(url: str | None):
    """The library document kept for a source URL, if the demo has one."""
    if not url:
        return None
    return LibraryDocument.objects.filter(source_url=url).first()


def _child(parent: Page, model, slug: str):
    return model.objects.child_of(parent).filter(slug=slug).first()


def _publish(page: Page, *, at: dt.datetime | None = None) -> None:
    revision = page.save_revision()
    revision.publish()
    if at is not None:
        # The demo's history happened in 2022-23, not on the day it was loaded.
        type(page).objects.filter(pk=page.pk).update(first_published_at=at, last_published_at=at)
        revision.__class__.objects.filter(pk=revision.pk).update(created_at=at)


def _add_child(parent: Page, page: Page, report: DemoReport, *, at=None) -> Page:
    parent.add_child(instance=page)
    _publish(page, at=at)
    report.note(f"{page._meta.verbose_name}: {page.title}")
    return page


@transaction.atomic
def demo_load(*, data_dir: Path = DATA_DIR, var_dir: Path | None = None) -> DemoReport:
    report = DemoReport()
    home_data = _read("home.yaml", data_dir)
    home = _demo_home(home_data=home_data, report=report)
    case_data = _read("case.yaml", data_dir)
    case, add_events = _demo_case(home=home, case_data=case_data, report=report)
    index = _child(home, UpdateIndexPage, "updates") or _add_child(
        home,
        UpdateIndexPage(
            title="Latest updates",
            slug="updates",
            intro=home_data.get("updates_intro", ""),
            show_in_menus=True,
        ),
        report,
    )
    _demo_library(home=home, report=report, data_dir=data_dir)
    standard = _demo_standard_pages(home=home, report=report, data_dir=data_dir)
    series_by_slug = _demo_series(report=report, data_dir=data_dir)
    tags = {}
    for slug, name in _read("tags.yaml", data_dir).items():
        tags[slug], _made = Tag.objects.get_or_create(slug=slug, defaults={"name": name})
    updates_by_slug, pinned = _demo_updates(
        index=index, series_by_slug=series_by_slug, tags=tags, report=report, data_dir=data_dir
    )
    if add_events and not case.events.exists():
        _events_add(case, case_data.get("events", []), updates_by_slug, report)
    if pinned is not None and index.pinned_update_id is None:
        index.pinned_update = pinned
        _publish(index)
        report.note(f"pinned: {pinned.title}")
    petition = _demo_petitions(home=home, case=case, report=report, data_dir=data_dir)
    if home.featured_case_id is None:
        home.featured_case = case
        home.background_page = standard.get("case-background")
        # The petition, one tap from every page: the demo's strongest action.
        home.action_page = petition or standard.get("take-action")
        _publish(home)
        report.note("home page banner")
    _demo_campaign_settings(home_data=home_data, standard=standard, report=report)
    _demo_support(home=home, case=case, report=report, data_dir=data_dir)
    _demo_translations(home=home, report=report, data_dir=data_dir)

    _ensure_admin(report, var_dir or Path(settings.VAR_DIR))
    return report


def _demo_home(*, home_data: dict, report: DemoReport) -> HomePage:
    """The home page, made the default site's root the first time."""
    root = Page.get_first_root_node()
    home = HomePage.objects.child_of(root).first()
    if home is not None:
        return home
    # Wagtail's initial migration leaves a placeholder "Welcome" page.
    for placeholder in Page.objects.child_of(root).filter(slug="home"):
        placeholder.delete()
    root.refresh_from_db()
    home = _add_child(
        root,
        HomePage(
            title=home_data["title"],
            slug="home",
            intro=home_data["intro"],
            action_text=home_data.get("action_text", ""),
        ),
        report,
    )
    site = Site.objects.filter(is_default_site=True).first() or Site(is_default_site=True)
    site.hostname = "localhost"
    site.port = 80
    site.root_page = home
    site.site_name = home_data["title"]
    site.save()
    return home


def _demo_case(*, home: HomePage, case_data: dict, report: DemoReport) -> tuple[CasePage, bool]:
    """The case page with its legal record; and whether its timeline events are still to add."""
    cases = _child(home, CaseIndexPage, "cases") or _add_child(
        home, CaseIndexPage(title="Cases", slug="cases"), report
    )
    case = _child(cases, CasePage, case_data["slug"])
    if case is not None:
        # An install from before the legal record existed gets it once.
        add_events = not case.orders.exists() and not case.events.exists()
        if add_events:
            case = _case_record_add(case, case_data, report)
        # And one from before the demo had a portrait (not one an editor has removed).
        if (
            case.photo_id is None
            and not CampaignImage.objects.filter(title=DEMO_PORTRAIT_TITLE).exists()
        ):
            case.photo = _demo_portrait(report)
            _publish(case)
        return case, add_events
    case = CasePage(
        title=case_data["title"],
        slug=case_data["slug"],
        person_name=case_data["person_name"],
        honorific=case_data.get("honorific", ""),
        status=case_data["status"],
        status_line=case_data["status_line"],
        detained_on=case_data["detained_on"],
        released_on=case_data.get("released_on"),
        time_zone=case_data["time_zone"],
        summary=" ".join(case_data["summary"].split()),
        show_in_menus=True,
        photo=_demo_portrait(report),
        **_case_details(case_data),
    )
    # The legal record is saved with the page, so its first revision holds it.
    for name, items in _case_record(case_data).items():
        setattr(case, name, items)
    _add_child(cases, case, report)
    _record_noted(case, report)
    return case, True


DEMO_PORTRAIT_TITLE = "Demo portrait"


def _demo_portrait(report: DemoReport) -> CampaignImage:
    """The case's portrait: an outline drawn by the project's code (demo/portrait.py),
    never a photograph."""
    image = CampaignImage(
        title=DEMO_PORTRAIT_TITLE,
        description="An illustration standing in for a portrait: "
        "the outline of a person's head and shoulders",
        credit="Illustration: Vigil demo",
        licence="Free to use with credit",
        file=ContentFile(demo_portrait_jpeg(), name="demo-portrait.jpg"),
    )
    image.save()
    report.note(f"image: {image.title}")
    return image


def _demo_standard_pages(*, home: HomePage, report: DemoReport, data_dir: Path) -> dict:
    """The standard pages, by slug."""
    standard = {}
    for item in _read("pages.yaml", data_dir):
        page = _child(home, StandardPage, item["slug"])
        if page is None:
            page = StandardPage(
                title=item["title"],
                slug=item["slug"],
                intro=item.get("intro", ""),
                body=_stream(item["body"]),
                # "About" is in the footer: a short menu leaves room on a phone's
                # first screen for the day count and the main action.
                show_in_menus=item.get(
                    "in_menu", item["slug"] in {"case-background", "take-action"}
                ),
            )
            page.references = _references(StandardPageReference, page, item.get("references", []))
            _add_child(home, page, report)
        standard[item["slug"]] = page
    return standard


def _demo_series(*, report: DemoReport, data_dir: Path) -> dict:
    """The series of updates with their translations, by slug."""
    series_by_slug = {}
    for item in _read("series.yaml", data_dir):
        series, made = Series.objects.get_or_create(
            slug=item["slug"],
            defaults={
                "title": item["title"],
                "description": item.get("description", ""),
                "is_complete": item.get("complete", False),
            },
        )
        if made:
            report.note(f"series: {series.title}")
        for language, text in item.get("translations", {}).items():
            SeriesTranslation.objects.get_or_create(
                series=series,
                language=language,
                defaults={"title": text["title"], "description": text.get("description", "")},
            )
        series_by_slug[series.slug] = series
    return series_by_slug


def _demo_updates(
    *, index, series_by_slug: dict, tags: dict, report: DemoReport, data_dir: Path
) -> tuple[dict, UpdatePage | None]:
    """The updates, oldest first (each published at its date), by slug; and the pinned one."""
    pinned = None
    updates_by_slug = {}
    for item in sorted(_read("updates.yaml", data_dir), key=lambda u: str(u["date"])):
        update = _child(index, UpdatePage, item["slug"])
        if update is None:
            date = parse_datetime(str(item["date"]))
            update = UpdatePage(
                title=item["title"],
                slug=item["slug"],
                date=date,
                updated_at=parse_datetime(str(item["updated_at"]))
                if item.get("updated_at")
                else None,
                author=item.get("author", ""),
                summary=item["summary"],
                body=_stream(item["body"]),
            )
            if item.get("series"):
                update.series = series_by_slug[item["series"]["slug"]]
                update.chapter = item["series"]["chapter"]
            update.references = _references(UpdateReference, update, item.get("references", []))
            update.tags.set([tags[slug] for slug in item.get("tags", [])])
            _add_child(index, update, report, at=date)
        updates_by_slug[item["slug"]] = update
        if item.get("pinned"):
            pinned = update
    return updates_by_slug, pinned


def _demo_campaign_settings(*, home_data: dict, standard: dict, report: DemoReport) -> None:
    campaign = CampaignSettings.for_site(Site.objects.get(is_default_site=True))
    if campaign.about_page_id is None:
        campaign.campaign_name = home_data["title"]
        campaign.tagline = home_data.get("tagline", "")
        campaign.hashtag = home_data.get("hashtag", "")
        campaign.about_page = standard.get("about")
        campaign.privacy_page = standard.get("privacy")
        campaign.save()
        report.note("campaign settings")
    contact = home_data.get("press_contact") or {}
    # Apart from the rest, so that a demo loaded before the press page gets its contact.
    if contact and not campaign.press_contact_email:
        campaign.press_contact_name = contact.get("name", "")
        campaign.press_contact_email = contact.get("email", "")
        campaign.press_contact_phone = contact.get("phone", "")
        campaign.press_contact_messenger = contact.get("messenger", "")
        campaign.save()
        report.note("press contact")


CASE_DETAILS = (
    "other_spellings",
    "former_roles",
    "bio",
    "place_of_detention",
    "court",
    "plea",
    "trial_openness",
    "verdict_on",
    "sentence",
    "health_notes",
)


def _case_details(case_data: dict) -> dict:
    """The case page's fields about the person and the trial, as given in case.yaml."""
    details = {}
    for name in CASE_DETAILS:
        value = case_data.get(name)
        if name == "bio" and value:
            value = " ".join(value.split())
        details[name] = value if value is not None else (None if name == "verdict_on" else "")
    return details


def _date(value) -> dt.date | None:
    return dt.date.fromisoformat(str(value)) if value else None


def _case_record(case_data: dict) -> dict[str, list]:
    """Charges, decisions, detention orders and deadlines as unsaved orderables."""
    return {
        "charges": [
            Charge(
                sort_order=position,
                article=item.get("article") or "",
                title=item["title"],
                history=[
                    {
                        "type": "status",
                        "value": {
                            "date": str(change["date"]),
                            "status": change["status"],
                            "note": change.get("note") or "",
                        },
                    }
                    for change in item.get("history", [])
                ],
            )
            for position, item in enumerate(case_data.get("charges", []))
        ],
        "decisions": [
            InternationalDecision(
                sort_order=position,
                body=item["body"],
                reference=item.get("reference") or "",
                decided_on=_date(item["decided_on"]),
                finding=" ".join(item["finding"].split()),
                categories=item.get("categories") or "",
                url=item.get("url") or "",
            )
            for position, item in enumerate(case_data.get("decisions", []))
        ],
        "orders": [
            DetentionOrder(
                sort_order=position,
                authorised_on=_date(item.get("authorised_on")),
                authorised_by=item.get("authorised_by") or "",
                valid_until=_date(item["valid_until"]),
                announced_on=_date(item.get("announced_on")),
                source=item.get("source") or "",
                source_url=item.get("source_url") or "",
                note=item.get("note") or "",
            )
            for position, item in enumerate(case_data.get("orders", []))
        ],
        "deadlines": [
            Deadline(
                sort_order=position,
                title=item["title"],
                owed_by=item.get("owed_by") or "",
                due_on=_date(item["due_on"]),
                status=item.get("status") or "open",
                note=item.get("note") or "",
            )
            for position, item in enumerate(case_data.get("deadlines", []))
        ],
    }


def _record_noted(case: CasePage, report: DemoReport) -> None:
    for charge in case.charges.all():
        report.note(f"charge: {charge}")
    for decision in case.decisions.all():
        report.note(f"decision: {decision.body} {decision.reference}".strip())
    for order in case.orders.all():
        report.note(f"detention order: until {order.valid_until:%Y-%m-%d}")
    for deadline in case.deadlines.all():
        report.note(f"deadline: {deadline.due_on:%Y-%m-%d} {deadline.title}")


def _case_record_add(case: CasePage, case_data: dict, report: DemoReport) -> CasePage:
    """Add the legal record to an existing case page and publish it once.

    Only relations that are still empty are filled, and only empty detail
    fields are set: nothing an editor wrote is replaced. The rows are saved
    first and the page is then reloaded and published, so the live page and
    its latest revision hold the same rows (with the same ids).
    """
    added = False
    for name, items in _case_record(case_data).items():
        if items and not getattr(case, name).exists():
            for item in items:
                item.case = case
                item.save()
            added = True
    changed = False
    for name, value in _case_details(case_data).items():
        if value and not getattr(case, name):
            setattr(case, name, value)
            changed = True
    if not (added or changed):
        return case
    if changed:
        # Saved to the live row before the revision is taken from it.
        case.save(update_fields=list(CASE_DETAILS))
    case = CasePage.objects.get(pk=case.pk)
    _publish(case)
    _record_noted(case, report)
    if changed:
        report.note(f"case details: {case.title}")
    return case


def _events_add(
    case: CasePage, items: list[dict], updates_by_slug: dict, report: DemoReport
) -> None:
    """The case's timeline, each event with its sources and the updates that report it."""
    for item in items:
        date = _date(item["date"])
        precision = item.get("precision") or "day"
        event = TimelineEvent(
            case=case,
            date=date,
            precision=precision,
            kind=item["kind"],
            title=item["title"],
            description=" ".join((item.get("description") or "").split()),
        )
        event.sources = [
            TimelineSource(
                sort_order=position,
                title=source["title"],
                publisher=source.get("publisher") or "",
                published_on=_date(source["date"])
                if source.get("date")
                else (date if precision == "day" else None),
                url=source.get("url") or "",
                document=_library_copy(source.get("url")),
            )
            for position, source in enumerate(item.get("sources", []))
        ]
        try:
            event.updates = [updates_by_slug[slug] for slug in item.get("updates", [])]
        except KeyError as error:
            raise ValueError(f"Timeline event {item['title']!r}: no update {error}") from None
        event.save()
        report.note(f"timeline event: {event}")


def _ensure_admin(report: DemoReport, var_dir: Path) -> None:
    """A first administrator with a random password kept in var/ (readable by its owner only),
    and, until two-factor is set up, a one-time link to set it up kept beside it."""
    User = get_user_model()
    password_file = var_dir / "admin-password.txt"
    report.admin_password_file = password_file
    admin = User.objects.filter(is_superuser=True).order_by("pk").first()
    if admin is not None:
        if password_file.is_file():
            report.admin_password = password_file.read_text().strip()
        report.admin_enrolment_link = enrolment_link_file_ensure(
            user=admin, path=var_dir / "admin-enrolment-link.txt"
        )
        return
    password = secrets.token_urlsafe(15)
    admin = User.objects.create_superuser("admin", email="admin@localhost", password=password)
    var_dir.mkdir(parents=True, exist_ok=True)
    password_file.touch(mode=0o600)
    password_file.write_text(password + "\n")
    report.admin_password = password
    report.admin_enrolment_link = enrolment_link_file_ensure(
        user=admin, path=var_dir / "admin-enrolment-link.txt"
    )
    report.note("administrator 'admin'")


def _document_pdf(item: dict) -> bytes:
    """A one-page stand-in for a document the demo cannot ship, saying what it is."""
    pdf = FPDF()
    pdf.set_title(item["title"])
    pdf.set_author(item["issuer"])
    pdf.set_subject(item["summary"])
    pdf.set_creation_date(
        dt.datetime.combine(dt.date.fromisoformat(str(item["date"])), dt.time(12), dt.UTC)
    )
    pdf.add_page()
    pdf.set_font("helvetica", "B", 14)
    pdf.multi_cell(0, 8, item["title"], new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)
    pdf.set_font("helvetica", size=11)
    lines = [
        f"Issued by: {item['issuer']}",
        f"Date: {item['date']}",
        "",
        " ".join(item["summary"].split()),
        "",
        "This file is a stand-in made for the Vigil demo campaign: the original is not "
        "included. "
        + (f"It is published at {item['source_url']}" if item.get("source_url") else ""),
    ]
    for line in lines:
        pdf.multi_cell(0, 6, line, new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())


def _demo_library(*, home, report: DemoReport, data_dir: Path) -> None:
    library = _child(home, LibraryPage, "library")
    if library is None:
        library = _add_child(
            home,
            LibraryPage(
                title="Library",
                slug="library",
                intro="Primary documents of the case: UN opinions, official statements, "
                "medical evidence and reports, each with its checksum.",
                show_in_menus=True,
            ),
            report,
        )
    for item in _read("documents.yaml", data_dir):
        if LibraryDocument.objects.filter(slug=item["slug"]).exists():
            continue
        document = LibraryDocument(
            title=item["title"],
            slug=item["slug"],
            date=dt.date.fromisoformat(str(item["date"])),
            issuer=item["issuer"],
            kind=item["kind"],
            language=item["language"],
            source_url=item.get("source_url") or "",
            summary=" ".join(item["summary"].split()),
            key_document=bool(item.get("key_document")),
        )
        document.file.save(f"{item['slug']}.pdf", ContentFile(_document_pdf(item)), save=False)
        document.save()
        report.note(f"document: {document.title}")


def _demo_support(*, home, case, report: DemoReport, data_dir: Path) -> None:
    """The register of who has called for release, and its page."""
    if _child(home, SupportRegisterPage, "support") is None:
        _add_child(
            home,
            SupportRegisterPage(
                title="Who has called for release",
                slug="support",
                case=case,
                intro="UN bodies, European institutions, parliamentarians, lawyers and "
                "human rights organisations that have spoken about the case.",
                show_in_menus=True,
            ),
            report,
        )
    if Statement.objects.filter(case=case).exists():
        return
    for item in _read("statements.yaml", data_dir):
        statement = Statement(
            case=case,
            who=item["who"],
            supporter_type=item["supporter_type"],
            country=item.get("country") or "",
            date=dt.date.fromisoformat(str(item["date"])),
            precision=item.get("precision", "day"),
            demands=item["demands"],
            quote=item.get("quote") or "",
            source_url=item.get("source_url") or "",
            source_document=_library_copy(item.get("source_url")),
            language="en",
        )
        statement.updates = list(UpdatePage.objects.filter(slug__in=item.get("updates", [])))
        statement.save()
        report.note(f"statement: {statement.who}")


def _demo_petitions(*, home, case, report: DemoReport, data_dir: Path) -> PetitionPage | None:
    """The campaign's petition (no signatures: those only come from real people)."""
    data = _read("petitions.yaml", data_dir)
    item = data["petition"]
    site_petition = _child(home, PetitionPage, item["slug"])
    if site_petition is None:
        site_petition = petition = PetitionPage(
            title=item["title"],
            slug=item["slug"],
            addressee=item["addressee"],
            summary=" ".join(item["summary"].split()),
            text=html_sanitise(html=item["text"]),
            goal=item["goal"],
            opens_at=parse_datetime(item["opens_at"]),
            thank_you=item.get("thank_you", ""),
            case=case,
        )
        _add_child(home, petition, report)
    for external in data.get("external", []):
        if ExternalPetition.objects.filter(title=external["title"]).exists():
            continue
        petition = ExternalPetition(
            title=external["title"],
            platform=external["platform"],
            url=external.get("url") or "",
            case=case,
        )
        petition.counts = [
            ExternalPetitionCount(date=_date(row["date"]), count=row["count"])
            for row in external["counts"]
        ]
        petition.save()
        report.note(f"external petition: {petition.title}")
    return site_petition


CASE_TRANSLATED_FIELDS = (
    "title",
    "person_name",
    "honorific",
    "status_line",
    "summary",
    "former_roles",
    "bio",
    "place_of_detention",
    "court",
    "plea",
    "sentence",
    "health_notes",
)


def _demo_translations(*, home, report: DemoReport, data_dir: Path) -> None:
    """Russian and Kazakh versions of part of the demo; the rest appears in English there.

    Every other language gets the whole tree first as aliases (wagtail-localize's
    synchronisation); each page in translations/<language>.yaml then becomes a real
    translation. A page that is already a translation is left as editors made it.
    """
    for locale in Locale.objects.exclude(pk=home.locale_id):
        synchronize_tree(home.locale, locale)
    folder = data_dir / "translations"
    if not folder.is_dir():
        return
    record_path = folder / "case_record.yaml"
    record = None
    if record_path.is_file():
        record = yaml.safe_load(record_path.read_text(encoding="utf-8"))
        _record_translations(home=home, record=record, data_dir=data_dir, report=report)
    for path in sorted(folder.glob("*.yaml")):
        if path == record_path:
            continue
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        _demo_language_translate(home=home, data=data, path=path, record=record, report=report)


def _demo_language_translate(*, home, data: dict, path: Path, record, report: DemoReport) -> None:
    """One language's file: the home page, the updates index, standard pages, the case,
    the petition, the listings and the updates, each where the file has its words."""
    locale = Locale.objects.get(language_code=data["locale"])
    _translate(home, locale, report, fields=_pick(data["home"], ("title", "intro", "action_text")))
    index = UpdateIndexPage.objects.child_of(home).first()
    if index is not None:
        with translation.override(locale.language_code):
            index_title = gettext("Latest updates")
        _translate(
            index,
            locale,
            report,
            fields={"title": index_title, "intro": data["home"].get("updates_intro", "")},
        )
    for slug, item in data.get("pages", {}).items():
        page = _child(home, StandardPage, slug)
        if page is not None:
            _translate(
                page,
                locale,
                report,
                fields=_pick(item, ("title", "intro")),
                body=item.get("body"),
                references=(StandardPageReference, item.get("references")),
            )
    case = CasePage.objects.filter(locale=home.locale, live=True).first()
    if case is not None and data.get("case"):
        record_texts = (record or {}).get(locale.language_code, {})
        _translate(
            case,
            locale,
            report,
            fields=_pick(data["case"], CASE_TRANSLATED_FIELDS),
            children=lambda target, texts=record_texts: _record_children_translate(target, texts),
        )
    petition = _child(home, PetitionPage, "petition")
    if petition is not None and data.get("petition"):
        fields = _pick(data["petition"], ("title", "addressee", "summary", "thank_you"))
        fields["text"] = html_sanitise(html=data["petition"]["text"])
        _translate(petition, locale, report, fields=fields)
    for model, slug in (
        (SupportRegisterPage, "support"),
        (CaseIndexPage, "cases"),
        (LibraryPage, "library"),
    ):
        listing = _child(home, model, slug)
        if listing is not None and data.get(slug):
            _translate(listing, locale, report, fields=_pick(data[slug], ("title", "intro")))
    _demo_updates_translate(index=index, locale=locale, data=data, path=path, report=report)


def _demo_updates_translate(*, index, locale, data: dict, path: Path, report: DemoReport) -> None:
    authors = data.get("authors", {})
    for slug, item in data.get("updates", {}).items():
        update = _child(index, UpdatePage, slug) if index is not None else None
        if update is None:
            raise ValueError(f"{path.name}: no update {slug!r} to translate")
        fields = _pick(item, ("title", "summary"))
        if update.author:
            fields["author"] = authors.get(update.author, update.author)
        _translate(
            update,
            locale,
            report,
            fields=fields,
            body=item.get("body"),
            references=(UpdateReference, item.get("references")),
        )


def _pick(item: dict, names) -> dict:
    return {
        name: " ".join(item[name].split()) if name in ("summary", "intro") else item[name]
        for name in names
        if name in item
    }


def _translate(
    source, locale, report: DemoReport, *, fields, body=None, references=None, children=None
):
    """Turn the page's alias in `locale` into a translation with these fields, published."""
    target = source.get_translation_or_none(locale)
    if target is None:
        target = source.copy_for_translation(locale, copy_parents=True)
    target = target.specific
    if target.alias_of_id is None and target.live:
        return  # already translated (by this loader or by an editor)
    if target.alias_of_id is not None:
        # As Wagtail's "convert alias" does: from now on the page has its own content.
        Page.objects.filter(pk=target.pk).update(alias_of=None)
        target.alias_of = None
    for name, value in fields.items():
        setattr(target, name, value)
    if body is not None:
        target.body = _stream(body)
    if references is not None and references[1] is not None:
        model, items = references
        target.references = _references(model, target, items, original=source)
    if children is not None:
        children(target)
    target.save()
    _publish(target)
    report.note(f"{locale.language_code}: {target.title}")


def _record_translations(*, home, record: dict, data_dir: Path, report: DemoReport) -> None:
    """Timeline events and tag names in other languages, matched by position and slug."""
    case_data = _read("case.yaml", data_dir)
    case = CasePage.objects.filter(locale=home.locale, slug=case_data["slug"]).first()
    if case is None:
        return
    events = {(e.date, e.title): e for e in TimelineEvent.objects.filter(case=case)}
    tags = {tag.slug: tag for tag in Tag.objects.all()}
    for language, texts in record.items():
        for item, text in zip(case_data.get("events", []), texts.get("events", []), strict=True):
            event = events.get((_date(item["date"]), item["title"]))
            if event is None:
                continue
            _made, created = TimelineEventTranslation.objects.get_or_create(
                event=event,
                language=language,
                defaults={
                    "title": text["title"],
                    "description": " ".join((text.get("description") or "").split()),
                    "sources": _source_lines(item, texts.get("sources", {})),
                },
            )
            if created:
                report.note(f"{language}: timeline event {event.date}")
        for slug, name in texts.get("tags", {}).items():
            if slug in tags:
                TagTranslation.objects.get_or_create(
                    tag=tags[slug], language=language, defaults={"name": name}
                )


def _source_lines(item: dict, names: dict) -> str:
    """An event translation's sources field: the translated 'title | publisher' of each of
    the event's sources in case.yaml, an empty line where there is none."""
    lines = []
    for source in item.get("sources", []):
        key = f"{source['title']} | {source.get('publisher', '')}".rstrip(" |")
        lines.append(names.get(key, ""))
    return "\n".join(lines).rstrip("\n")


RECORD_CHILDREN = {
    "charges": ("charges", ("title", "article")),
    "decisions": ("decisions", ("body", "reference", "categories", "finding")),
    "orders": ("orders", ("authorised_by", "source", "note")),
    "deadlines": ("deadlines", ("title", "owed_by", "note")),
}


def _record_children_translate(target, texts: dict) -> None:
    """The translated case page's own copies of the legal record, in its language."""
    for key, (relation, names) in RECORD_CHILDREN.items():
        rows = sorted(getattr(target, relation).all(), key=lambda row: (row.sort_order, row.pk))
        for row, text in zip(rows, texts.get(key, []), strict=False):
            for name in names:
                if name in text and hasattr(row, name):
                    value = text[name]
                    setattr(row, name, " ".join(value.split()) if name == "finding" else value)
        # Handing the rows back to the cluster makes the page's save() store them.
        setattr(target, relation, rows)


# Words for generated bench updates: real-looking text of realistic length, in English.
_SCALE_SENTENCES = (
    "The campaign wrote again to the authorities about the conditions of detention.",
    "Lawyers asked the court for the full case file, which has never been disclosed.",
    "Doctors who examined the prisoner recommended treatment outside the prison.",
    "Parliamentarians in several countries raised the case with their governments.",
    "The United Nations opinion calling for release has still not been implemented.",
    "Family members were again refused a visit without giving any written reason.",
)


@transaction.atomic
def demo_scale(*, updates: int, tags_per_update: int = 2) -> int:
    """Add generated updates until the English updates index holds `updates` of them.

    For benchmarks at the size of a campaign a few years old; each is published as an
    editor would (its Russian and Kazakh copies follow by synchronisation). Returns how
    many were added.
    """
    if updates < 0:
        raise ValueError("updates must be zero or more")
    english = Locale.objects.get(language_code=settings.LANGUAGE_CODE)
    index = UpdateIndexPage.objects.filter(locale=english).first()
    if index is None:
        raise ValueError("There is no updates index: load the demo first (manage.py load_demo).")
    have = UpdatePage.objects.child_of(index).count()
    tags = list(Tag.objects.order_by("name").values_list("name", flat=True)) or ["update"]
    start = dt.datetime(2022, 1, 6, 9, 0, tzinfo=dt.UTC)
    added = 0
    for number in range(have + 1, updates + 1):
        at = start + dt.timedelta(hours=37 * number)
        text = " ".join(_SCALE_SENTENCES[(number + i) % len(_SCALE_SENTENCES)] for i in range(8))
        page = UpdatePage(
            title=f"Campaign update {number}: letters, lawyers and doctors",
            slug=f"campaign-update-{number}",
            date=at,
            summary=_SCALE_SENTENCES[number % len(_SCALE_SENTENCES)],
            body=[
                {"type": "paragraph", "value": f"<p>{text}</p>"},
                {"type": "paragraph", "value": f"<p>{_SCALE_SENTENCES[number % 6]}</p>"},
            ],
        )
        index.add_child(instance=page)
        page.tags.add(*(tags[(number + i) % len(tags)] for i in range(tags_per_update)))
        _publish(page, at=at)
        added += 1
    # Russian and Kazakh readers get each new update too (untranslated, as aliases).
    for locale in Locale.objects.exclude(pk=english.pk):
        synchronize_tree(english, locale)
    return added
