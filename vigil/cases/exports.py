"""The case record, gathered in a fixed number of queries, and its JSON, iCalendar and CSV forms."""

import csv
import datetime as dt
import io
import posixpath
import re
from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import Max, OuterRef, Subquery
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from vigil.core.views import serve
from vigil.news.services import linked_updates_localise

from . import services
from .facts import record_rows_load
from .models.record import (
    DeadlineStatus,
    EventKind,
    TimelineEvent,
    TimelineEventTranslation,
    TimelineSource,
    source_lines_parse,
)

KEY_EVENT_KINDS = services.KEY_EVENT_KINDS  # defined beside the chart's data, which marks them
CALENDAR_EVENT_KINDS = ("court", "verdict", "deadline")

_EVENT_FIELDS = ("id", "date", "precision", "kind", "title", "description")
_SOURCE_FIELDS = ("id", "title", "publisher", "published_on", "url", "document_id")


@dataclass
class CaseRecord:
    """Everything the case page and its exports show, loaded once."""

    today: dt.date
    charges: list
    decisions: list
    orders: services.OrdersReport
    deadlines: list  # (Deadline, DeadlineState) pairs, by due date
    events: list  # TimelineEvent, each with .source_list and .linked_updates
    kinds: list = field(default_factory=list)  # (value, label) of kinds that have events


def case_events_load(*, case, case_id=None) -> list:
    """The case's timeline events with their sources and live linked updates, in two
    queries, and in another language with the editors' translations of their text and the
    linked updates' versions in it, in one more.

    `case_id`: the id of the case the events belong to, when not `case`'s own (a value or
    an expression, see `page_source_id`).
    """
    case_id = case.pk if case_id is None else case_id
    language = get_language() or settings.LANGUAGE_CODE
    events_query = TimelineEvent.objects.filter(case_id=case_id)
    local_fields = ()
    if language != settings.LANGUAGE_CODE:
        # The translation's text rides along with each row: no query of its own.
        translated = TimelineEventTranslation.objects.filter(
            event_id=OuterRef("pk"), language=language
        )
        events_query = events_query.annotate(
            local_id=Subquery(translated.values("pk")[:1]),
            local_title=Subquery(translated.values("title")[:1]),
            local_description=Subquery(translated.values("description")[:1]),
            local_sources=Subquery(translated.values("sources")[:1]),
        )
        local_fields = ("local_id", "local_title", "local_description", "local_sources")
    rows = events_query.order_by("date", "pk", "sources__sort_order", "sources__pk").values(
        *_EVENT_FIELDS,
        "case_id",
        *local_fields,
        *(f"sources__{name}" for name in _SOURCE_FIELDS),
        "sources__document__file",
    )
    events: dict[int, TimelineEvent] = {}
    for row in rows:
        event = events.get(row["id"])
        if event is None:
            event = TimelineEvent(
                case_id=row["case_id"], **{name: row[name] for name in _EVENT_FIELDS}
            )
            event._state.adding = False
            event.source_list = []
            event.linked_updates = []
            if local_fields:
                event.text_language = settings.LANGUAGE_CODE
                if row["local_id"] is not None:
                    event.title = row["local_title"]
                    event.description = row["local_description"] or event.description
                    event.text_language = ""
                    event.local_sources = row["local_sources"] or ""
            events[event.pk] = event
        if row["sources__id"] is not None:
            source = TimelineSource(
                event_id=event.pk, **{name: row[f"sources__{name}"] for name in _SOURCE_FIELDS}
            )
            source.document_url = (
                reverse(
                    "wagtaildocs_serve",
                    args=(source.document_id, posixpath.basename(row["sources__document__file"])),
                )
                if source.document_id
                else ""
            )
            event.source_list.append(source)
    if local_fields:
        for event in events.values():
            _sources_localise(event)
    if events:
        links = (
            TimelineEvent.updates.through.objects.filter(
                timelineevent__case_id=case_id, updatepage__live=True
            )
            .select_related("updatepage")
            .order_by("updatepage__date", "pk")
        )
        for link in links:
            events[link.timelineevent_id].linked_updates.append(link.updatepage)
    linked_updates_localise(holders=events.values(), language=language)
    return list(events.values())


def _sources_localise(event) -> None:
    """The event's sources with the translators' titles and publishers, where given."""
    lines = source_lines_parse(getattr(event, "local_sources", ""))
    for source, line in zip(event.source_list, lines, strict=False):
        if line is not None:
            source.title, source.publisher = line[0] or source.title, line[1] or source.publisher


def case_record(*, case, today: dt.date | None = None, events_of=None) -> CaseRecord:
    """Charges, decisions, orders with their gaps, deadlines with countdowns, and the timeline.

    `events_of`: the id of the default-language case, a value or an expression
    (`page_source_id`): its timeline events and the facts of its legal record are the
    ones every language shows (see facts.py).
    """
    today = today or case.today()
    rows = record_rows_load(case=case, source_id=events_of)
    orders = services.detention_orders_analyse(
        orders=rows["orders"],
        detained_on=case.detained_on,
        today=today,
        released_on=case.released_on,
        verdict_on=case.verdict_on,
    )
    deadlines = [
        (
            deadline,
            services.deadline_state(due_on=deadline.due_on, status=deadline.status, today=today),
        )
        for deadline in sorted(rows["deadlines"], key=lambda d: (d.due_on, d.pk))
    ]
    events = case_events_load(case=case, case_id=events_of)
    present = {event.kind for event in events}
    return CaseRecord(
        today=today,
        charges=rows["charges"],
        decisions=sorted(rows["decisions"], key=lambda d: (d.decided_on, d.pk)),
        orders=orders,
        deadlines=deadlines,
        events=events,
        kinds=[(value, label) for value, label in EventKind.choices if value in present],
    )


CASE_EXPORT_FILES = ("case.json", "case.ics", "timeline.csv")


def case_export_urlpatterns() -> list:
    """URL patterns handing `<case page>/case.json` etc. to Wagtail, whose own pattern wants a "/".

    Include them in the root URLconf before Wagtail's: `*case_export_urlpatterns()`.
    """
    from django.urls import re_path

    names = "|".join(re.escape(name) for name in CASE_EXPORT_FILES)
    return [re_path(rf"^((?:[\w\-]+/)+(?:{names}))$", serve, name="case_export")]


def _iso(value: dt.date | None) -> str | None:
    return value.isoformat() if value else None


def _absolute(request, url: str) -> str:
    return request.build_absolute_uri(url) if request is not None else url


# -- JSON ---------------------------------------------------------------------


def case_json(*, case, request, record: CaseRecord | None = None) -> dict:
    """The case as plain data for journalists and other sites; dates in ISO 8601."""
    record = record or case_record(case=case)
    page_url = case.get_full_url(request)
    return {
        "url": page_url,
        "generated_on": record.today.isoformat(),
        "person": {
            "name": case.person_name,
            "honorific": case.honorific,
            "display_name": case.display_name,
            "other_spellings": [s.strip() for s in case.other_spellings.split(",") if s.strip()],
            "former_roles": [r.strip() for r in case.former_roles.splitlines() if r.strip()],
            "bio": case.bio,
        },
        "status": case.status,
        "status_label": str(case.get_status_display()),
        "status_line": case.status_line,
        "summary": case.summary,
        "detained_on": _iso(case.detained_on),
        "released_on": _iso(case.released_on),
        "days_detained": case.days_detained(),
        "time_zone": case.time_zone,
        "place_of_detention": case.place_of_detention,
        "court": case.court,
        "plea": case.plea,
        "trial_openness": case.trial_openness,
        "verdict_on": _iso(case.verdict_on),
        "sentence": case.sentence,
        "health_notes": [n.strip() for n in case.health_notes.splitlines() if n.strip()],
        "charges": _charges_json(record=record),
        "decisions": _decisions_json(record=record),
        "detention_orders": _orders_json(report=record.orders),
        "deadlines": _deadlines_json(record=record),
        "timeline": _timeline_json(record=record, page_url=page_url, request=request),
    }


def _charges_json(*, record: CaseRecord) -> list[dict]:
    return [
        {
            "article": charge.article,
            "title": charge.title,
            "current_status": str(charge.current_status),
            "history": [
                {
                    "date": _iso(change.value["date"]),
                    "status": change.value["status"],
                    "note": change.value["note"] or "",
                }
                for change in charge.history
            ],
        }
        for charge in record.charges
    ]


def _decisions_json(*, record: CaseRecord) -> list[dict]:
    return [
        {
            "body": decision.body,
            "reference": decision.reference,
            "decided_on": _iso(decision.decided_on),
            "finding": decision.finding,
            "categories": decision.categories,
            "url": decision.url,
        }
        for decision in record.decisions
    ]


def _orders_json(*, report: services.OrdersReport) -> dict:
    return {
        "orders": [
            {
                "authorised_on": _iso(order.authorised_on),
                "authorised_by": order.authorised_by,
                "valid_until": _iso(order.valid_until),
                "announced_on": _iso(order.announced_on),
                "public_from": _iso(services.order_public_from(order)),
                "source": order.source,
                "source_url": order.source_url,
                "note": order.note,
                "in_force": order is report.in_force,
            }
            for order in report.orders
        ],
        "gaps": [
            {"start": _iso(gap.start), "end": _iso(gap.end), "days": gap.days}
            for gap in report.gaps
        ],
        "no_basis_since": _iso(report.no_basis_since),
        "no_basis_days": report.no_basis_days,
        "no_basis_after_verdict": report.after_verdict,
    }


def _deadlines_json(*, record: CaseRecord) -> list[dict]:
    return [
        {
            "title": deadline.title,
            "owed_by": deadline.owed_by,
            "due_on": _iso(deadline.due_on),
            "status": deadline.status,
            "days_left": state.days_left,
            "overdue": state.overdue,
            "note": deadline.note,
        }
        for deadline, state in record.deadlines
    ]


def _timeline_json(*, record: CaseRecord, page_url: str, request) -> list[dict]:
    """Each event with its sources and the updates that tell of it, as absolute URLs."""
    return [
        {
            "id": event.anchor,
            "url": f"{page_url}#{event.anchor}",
            "date": _iso(event.date),
            "precision": event.precision,
            "kind": event.kind,
            "title": event.title,
            "description": event.description,
            "sources": [
                {
                    "title": source.title,
                    "publisher": source.publisher,
                    "published_on": _iso(source.published_on),
                    "url": source.url,
                    "document_url": (
                        _absolute(request, source.document_url) if source.document_url else None
                    ),
                }
                for source in event.source_list
            ],
            "updates": [
                _absolute(request, update.get_url(request)) for update in event.linked_updates
            ],
        }
        for event in record.events
    ]


# -- iCalendar ----------------------------------------------------------------


def case_record_changed_at(*, case) -> dt.datetime:
    """When the case record last changed, in UTC: the case page's last publication (its
    charges, orders and deadlines are published with it) or a later edit of a timeline
    event (snippets, each edit logged by Wagtail), in one query."""
    from wagtail.models import ModelLogEntry

    events_edited = ModelLogEntry.objects.filter(
        content_type__app_label=TimelineEvent._meta.app_label,
        content_type__model=TimelineEvent._meta.model_name,
    ).aggregate(latest=Max("timestamp"))["latest"]
    stamps = [stamp for stamp in (case.last_published_at, events_edited) if stamp]
    return max(stamps).astimezone(dt.UTC) if stamps else dt.datetime.now(dt.UTC)


def case_ical(*, case, request, record: CaseRecord | None = None) -> bytes:
    """Deadlines, order end dates and hearings as all-day events for a calendar app."""
    from icalendar import Calendar, Event

    record = record or case_record(case=case)
    page_url = case.get_full_url(request)
    host = request.get_host().split(":")[0] if request is not None else "vigil"
    # RFC 5545: without a METHOD, DTSTAMP is when the information was last revised, so
    # the calendar is the same until the record changes (and so is a mirror's copy).
    stamp = case_record_changed_at(case=case)

    calendar = Calendar()
    calendar.add("prodid", "-//Vigil//Case tracker//EN")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", _("%(name)s: case dates") % {"name": case.display_name})

    def add(*, uid: str, day: dt.date, summary: str, description: str, anchor: str) -> None:
        event = Event()
        event.add("uid", f"{uid}@{host}")
        event.add("dtstamp", stamp)
        event.add("dtstart", day)
        event.add("dtend", day + dt.timedelta(days=1))
        event.add("summary", summary)
        event.add("description", description)
        event.add("url", f"{page_url}#{anchor}")
        calendar.add_component(event)

    for deadline, _state in record.deadlines:
        add(
            uid=f"deadline-{deadline.pk}",
            day=deadline.due_on,
            summary=_("Deadline: %(title)s") % {"title": deadline.title},
            description=" ".join(
                part
                for part in (
                    _("Owed by %(who)s.") % {"who": deadline.owed_by} if deadline.owed_by else "",
                    str(DeadlineStatus(deadline.status).label) + ".",
                    deadline.note,
                )
                if part
            ),
            anchor=f"deadline-{deadline.pk}",
        )
    for order in record.orders.orders:
        add(
            uid=f"order-{order.pk}",
            day=order.valid_until,
            summary=_("Detention order for %(name)s runs out") % {"name": case.display_name},
            description=" ".join(part for part in (order.authorised_by, order.source) if part),
            anchor=f"order-{order.pk}",
        )
    for event in record.events:
        if event.kind not in CALENDAR_EVENT_KINDS:
            continue
        add(
            uid=event.anchor,
            day=event.date,
            summary=event.title,
            description=event.description,
            anchor=event.anchor,
        )
    return calendar.to_ical()


# -- CSV ----------------------------------------------------------------------

CSV_COLUMNS = ("date", "precision", "kind", "title", "description", "sources")
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value: str) -> str:
    """A cell a spreadsheet will not run as a formula."""
    return f"'{value}" if value.startswith(_FORMULA_STARTS) else value


def _csv_rows(*, case, record: CaseRecord) -> list[tuple]:
    """The timeline's events, each order's last day and each deadline, by date: the dates
    of the case, as the calendar has them (in the same words)."""
    rows = [
        (
            event.date,
            event.precision,
            event.kind,
            event.title,
            event.description,
            " | ".join(
                " ".join(p for p in (s.publisher, s.title, s.url) if p) for s in event.source_list
            ),
        )
        for event in record.events
    ]
    for order in record.orders.orders:
        rows.append(
            (
                order.valid_until,
                "day",
                EventKind.DETENTION_ORDER.value,
                _("Detention order for %(name)s runs out") % {"name": case.display_name},
                " ".join(part for part in (order.authorised_by, order.note) if part),
                " ".join(part for part in (order.source, order.source_url) if part),
            )
        )
    for deadline, _state in record.deadlines:
        rows.append(
            (
                deadline.due_on,
                "day",
                EventKind.DEADLINE.value,
                _("Deadline: %(title)s") % {"title": deadline.title},
                " ".join(
                    part
                    for part in (
                        _("Owed by %(who)s.") % {"who": deadline.owed_by}
                        if deadline.owed_by
                        else "",
                        str(DeadlineStatus(deadline.status).label) + ".",
                        deadline.note,
                    )
                    if part
                ),
                "",
            )
        )
    # Stable: on one day, events first, then orders, then deadlines.
    return sorted(rows, key=lambda row: row[0])


def timeline_csv(*, case, record: CaseRecord | None = None) -> str:
    """The case's dates as a spreadsheet: one row an event, an order's end or a deadline;
    an event's sources joined by ' | '."""
    record = record or case_record(case=case)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    for day, *cells in _csv_rows(case=case, record=record):
        writer.writerow([csv_cell(value) for value in (day.isoformat(), *cells)])
    return out.getvalue()


__all__ = [
    "CALENDAR_EVENT_KINDS",
    "CSV_COLUMNS",
    "KEY_EVENT_KINDS",
    "CaseRecord",
    "CASE_EXPORT_FILES",
    "case_export_urlpatterns",
    "case_events_load",
    "case_ical",
    "case_json",
    "case_record",
    "csv_cell",
    "timeline_csv",
]
