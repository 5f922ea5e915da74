"""The detention clock: days detained, computed in the case's own time zone."""

import datetime as dt
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import F
from django.utils import timezone

from vigil.core.dependencies import day_turns_in
from vigil.core.registry import page_role
from vigil.core.services import DAY_COUNT_TOKEN
from vigil.core.snapshot import snapshot_memo


def case_today(*, time_zone: str, now: dt.datetime | None = None) -> dt.date:
    """Today's date where the person is held (a day starts at their midnight, not ours).

    A cached page that shows anything counted from it expires at that midnight.
    """
    day_turns_in(time_zone)
    moment = now or timezone.now()
    return moment.astimezone(ZoneInfo(time_zone)).date()


def case_utc_offset(*, time_zone: str, now: dt.datetime | None = None) -> int:
    """Minutes east of UTC where the person is held, now (day-count.js reads it)."""
    moment = (now or timezone.now()).astimezone(ZoneInfo(time_zone))
    return int(moment.utcoffset().total_seconds() // 60)


def case_days_detained(
    *,
    detained_on: dt.date,
    released_on: dt.date | None = None,
    time_zone: str,
    now: dt.datetime | None = None,
) -> int:
    """Whole days between detention and release (or today, where they are held).

    The day of detention is day 0, so a person detained on 5 January has been
    held 1 day on 6 January: the count campaigns and the press quote.
    """
    end = released_on or case_today(time_zone=time_zone, now=now)
    return max(0, (end - detained_on).days)


# -- detention orders --------------------------------------------------------


@dataclass(frozen=True)
class Gap:
    """Days on which no detention order was public."""

    start: dt.date
    end: dt.date  # inclusive

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1


@dataclass
class OrdersReport:
    orders: list  # sorted by valid_until
    in_force: object | None  # the order covering today, if any
    gaps: list[Gap] = field(default_factory=list)
    # Set while the person is held and unreleased after the last order ran out: before
    # the verdict, or after it when they are held on orders again (a new case).
    no_basis_since: dt.date | None = None
    no_basis_days: int = 0
    after_verdict: bool = False  # no_basis_since is in the orders made after the verdict


def order_public_from(order) -> dt.date | None:
    """The first day an order was public: announced, else authorised; None if never made public."""
    return order.announced_on or order.authorised_on


def _stretches_uncovered(covered: list, *, start: dt.date, end: dt.date) -> list[Gap]:
    """The stretches of [start, end] no (public from, valid until) pair covers."""
    gaps = []
    cursor = start
    for public_from, until in covered:
        if public_from > end:
            break
        if public_from > cursor:
            gaps.append(Gap(cursor, min(public_from - dt.timedelta(days=1), end)))
        cursor = max(cursor, until + dt.timedelta(days=1))
    if cursor <= end:
        gaps.append(Gap(cursor, end))
    return gaps


def detention_orders_analyse(
    *,
    orders,
    detained_on: dt.date,
    today: dt.date,
    released_on: dt.date | None = None,
    verdict_on: dt.date | None = None,
) -> OrdersReport:
    """Which order holds the person today, and every stretch with no public order.

    Orders may come in any order and may overlap. An order that was never made
    public covers nothing: the days it is said to cover are a gap. Gaps run from
    detention until the verdict (after which the sentence is the basis), the
    release, or today, whichever comes first; and, when orders are made after the
    verdict (a person held in a new case), from the first of them until the release
    or today: every order is watched.
    """
    ordered = sorted(orders, key=lambda o: (o.valid_until, o.pk or 0))
    report = OrdersReport(orders=ordered, in_force=None)
    previous_end = None
    for order in ordered:
        start = order.authorised_on or order.announced_on
        if start is None:
            start = previous_end + dt.timedelta(days=1) if previous_end else detained_on
        if start <= today <= order.valid_until:
            report.in_force = order
        previous_end = order.valid_until

    covered = sorted((order_public_from(o), o.valid_until) for o in ordered if order_public_from(o))
    held_until = min(d for d in (released_on, today) if d is not None)
    end = min(held_until, verdict_on) if verdict_on else held_until
    report.gaps = _stretches_uncovered(covered, start=detained_on, end=end)
    if report.gaps and report.gaps[-1].end == today and not verdict_on and covered:
        report.no_basis_since = report.gaps[-1].start
    later = [pair for pair in covered if verdict_on and pair[0] > verdict_on]
    if later:
        after = _stretches_uncovered(later, start=later[0][0], end=held_until)
        report.gaps += after
        if after and after[-1].end == today:
            report.no_basis_since = after[-1].start
            report.after_verdict = True
    if report.no_basis_since and not released_on:
        report.no_basis_days = (today - report.no_basis_since).days + 1
    else:
        report.no_basis_since = None
    return report


# -- the case at a glance (the chart's plain data) ----------------------------

# Kinds of timeline event worth a mark on the chart.
KEY_EVENT_KINDS = ("detention", "court", "verdict", "un_body")


@dataclass(frozen=True)
class TimelineBar:
    """An order as the chart draws it: from the day it was public to its last day."""

    start: dt.date
    until: dt.date
    in_force: bool


@dataclass(frozen=True)
class TimelineMark:
    """A key event, marked on the chart."""

    date: dt.date
    title: str


@dataclass(frozen=True)
class CaseTimeline:
    """What the case chart draws, as plain data: the chart reads no model."""

    name: str
    detained_on: dt.date
    end: dt.date  # the release, else today
    orders: list[TimelineBar]
    gaps: list[Gap]
    marks: list[TimelineMark]


def case_timeline_build(*, case, report: OrdersReport, events, today: dt.date) -> CaseTimeline:
    """The chart's data from the case, its orders report and its timeline events.

    An order never made public is drawn from the day after the one before it (or from
    the detention): it held the person from then, though nobody could see it.
    """
    bars = []
    previous_end = None
    for order in report.orders:
        start = order_public_from(order) or (
            previous_end + dt.timedelta(days=1) if previous_end else case.detained_on
        )
        bars.append(TimelineBar(start, order.valid_until, order is report.in_force))
        previous_end = order.valid_until
    return CaseTimeline(
        name=case.display_name,
        detained_on=case.detained_on,
        end=case.released_on or today,
        orders=bars,
        gaps=list(report.gaps),
        marks=[TimelineMark(e.date, e.title) for e in events if e.kind in KEY_EVENT_KINDS],
    )


# -- deadlines and milestones ------------------------------------------------


@dataclass(frozen=True)
class DeadlineState:
    days_left: int  # negative when past
    overdue: bool

    @property
    def days_overdue(self) -> int:
        return max(0, -self.days_left)


def deadline_state(*, due_on: dt.date, status: str, today: dt.date) -> DeadlineState:
    days_left = (due_on - today).days
    return DeadlineState(days_left=days_left, overdue=status == "open" and days_left < 0)


@dataclass(frozen=True)
class CaseGlance:
    """What the case page's "at a glance" box shows of the record, beside the page's facts."""

    decision: object | None  # the latest decision of an international body
    decision_count: int
    deadline: tuple | None  # (Deadline, DeadlineState): the first one still open


def case_glance_build(*, decisions: list, deadlines: list) -> CaseGlance:
    """The record's latest decision and next open deadline, from rows already loaded.

    `decisions` by date; `deadlines` (Deadline, DeadlineState) pairs by due date. An open
    deadline already past is still the next thing owed, so it is the one shown (as
    overdue) before any later one.
    """
    open_deadlines = [pair for pair in deadlines if pair[0].status == "open"]
    return CaseGlance(
        decision=decisions[-1] if decisions else None,
        decision_count=len(decisions),
        deadline=open_deadlines[0] if open_deadlines else None,
    )


MILESTONE_DAYS = (100, 500, 1000)


def case_milestones(
    *, detained_on: dt.date, start: dt.date, end: dt.date
) -> list[tuple[int, dt.date]]:
    """Day counts worth marking in [start, end]: 100, 500, 1,000, every 500 after, anniversaries."""
    marks = set(MILESTONE_DAYS)
    last = (end - detained_on).days
    marks.update(range(1500, last + 1, 500))
    found = {
        days: detained_on + dt.timedelta(days=days)
        for days in marks
        if start <= detained_on + dt.timedelta(days=days) <= end
    }
    for year in range(start.year, end.year + 1):
        try:
            anniversary = detained_on.replace(year=year)
        except ValueError:  # 29 February
            anniversary = dt.date(year, 3, 1)
        if anniversary > detained_on and start <= anniversary <= end:
            found[(anniversary - detained_on).days] = anniversary
    return sorted(found.items(), key=lambda item: item[1])


# -- what editors must watch -------------------------------------------------

WATCH_DAYS = 14


def cases_watch_list(*, today: dt.date | None = None, within: int = WATCH_DAYS) -> list[dict]:
    """For each live case still held: orders and deadlines due soon or missed, milestones ahead."""
    from .models import CasePage  # circle: cases.models imports these services

    cases = (
        CasePage.objects.live()
        # Translations share the original's record; watch each case once.
        .filter(released_on__isnull=True, locale__language_code=settings.LANGUAGE_CODE)
        .prefetch_related("orders", "deadlines")
        .order_by("title")
    )
    horizon_days = dt.timedelta(days=within)
    watch = []
    for case in cases:
        day = today or case_today(time_zone=case.time_zone)
        horizon = day + horizon_days
        report = detention_orders_analyse(
            orders=list(case.orders.all()),
            detained_on=case.detained_on,
            today=day,
            verdict_on=case.verdict_on,
        )
        deadlines = [
            (deadline, deadline_state(due_on=deadline.due_on, status=deadline.status, today=day))
            for deadline in case.deadlines.all()
            if deadline.status == "open" and deadline.due_on <= horizon
        ]
        item = {
            "case": case,
            "today": day,
            "orders_ending": [o for o in report.orders if day <= o.valid_until <= horizon],
            "no_basis_since": report.no_basis_since,
            "no_basis_days": report.no_basis_days,
            "no_basis_after_verdict": report.after_verdict,
            "deadlines_due": [(d, s) for d, s in deadlines if not s.overdue],
            "deadlines_missed": [(d, s) for d, s in deadlines if s.overdue],
            "milestones": case_milestones(detained_on=case.detained_on, start=day, end=horizon),
        }
        item["has_items"] = any(
            item[key]
            for key in (
                "orders_ending",
                "no_basis_since",
                "deadlines_due",
                "deadlines_missed",
                "milestones",
            )
        )
        watch.append(item)
    return watch


def case_featured(*, request, language: str):
    """The case the site's home page features, in `language` where a live version exists,
    else in the default language, with the default-language facts (dates, status, time
    zone) in the same query: one query, once per request. The hero, the widgets and the share
    image's meta tags in the head both ask for it; rendering the whole site
    (snapshot_reads), once per language."""
    # Here, not at the top: apps.py imports these services before models can load.
    from wagtail.models import Site

    from .models import CasePage  # circle: cases.models imports these services

    memo = getattr(request, "_vigil_featured_cases", None)
    if memo is None:
        memo = {}
        if request is not None:
            request._vigil_featured_cases = memo
    if language in memo:
        return memo[language]

    def load():
        site = Site.find_for_request(request) if request else None
        if site is None:
            return None
        linked = (
            page_role("home")
            .objects.filter(pk=site.root_page_id)
            .values("featured_case__translation_key")
        )
        pages = CasePage.shared_facts_annotate(
            CasePage.objects.live()
            .filter(
                translation_key__in=linked,
                locale__language_code__in={language, settings.LANGUAGE_CODE},
            )
            .annotate(language_code=F("locale__language_code"))
        )
        found = {p.language_code: p for p in pages}
        return found.get(language) or found.get(settings.LANGUAGE_CODE)

    memo[language] = snapshot_memo(("featured-case", language), load)
    return memo[language]


def body_day_count_fill(html: str, request) -> str:
    """Fill the `[[days]]` token of a page body with the day count of the case in the
    site's home banner: the body filter this app registers with core (apps.py)."""
    if DAY_COUNT_TOKEN not in html:
        return html  # most bodies: no query for the home page
    from wagtail.models import Site

    site = Site.find_for_request(request)
    home = site.root_page.specific if site else None
    return body_insert_day_count(html=html, case=getattr(home, "featured_case", None))


def body_insert_day_count(*, html: str, case) -> str:
    """Replace the editors' `[[days]]` token with the live day count of `case`."""
    if DAY_COUNT_TOKEN not in html or case is None:
        return html
    from django.template.loader import render_to_string

    figure = render_to_string(
        "cases/includes/day_count.html",
        {
            "case": case,
            "days": case.days_detained(),
            "computed_on": case.today(),
            "day_words": day_word_forms(),
        },
    ).strip()
    return html.replace(DAY_COUNT_TOKEN, figure)


# Sample numbers for each CLDR plural category the script may meet (Intl.PluralRules):
# English needs one/other; Russian one/few/many; Kazakh one/other.
PLURAL_SAMPLES = {"one": 1, "few": 2, "many": 5, "other": 2}


def day_word_forms() -> list[tuple[str, str]]:
    """The word 'day' for each plural category in the active language, for day-count.js.

    When the script recounts the days on an old copy of a page, the word must agree
    with the new number: 21 день, 22 дня, 25 дней.
    """
    from django.utils.translation import ngettext

    return [(category, ngettext("day", "days", n)) for category, n in PLURAL_SAMPLES.items()]
