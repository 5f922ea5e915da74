"""The support register: loading, filtering, counting and charting statements of support."""

import datetime as dt
import xml.etree.ElementTree as ET
from collections import Counter

from django.conf import settings
from django.utils.formats import date_format
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language, ngettext, ngettext_lazy
from django.utils.translation import gettext as _

from vigil.core.snapshot import snapshot_memo
from vigil.news.services import linked_updates_localise

from .models import FILTER_KEYS, Demand, Statement, SupporterType, SupportRegisterPage

# "3 UN bodies", "1 government": the counts in the one-line summary, by type.
TYPE_COUNT_TEXT = {
    SupporterType.UN_BODY: ngettext_lazy("%(count)s UN body", "%(count)s UN bodies", "count"),
    SupporterType.INTERGOVERNMENTAL: ngettext_lazy(
        "%(count)s intergovernmental organisation",
        "%(count)s intergovernmental organisations",
        "count",
    ),
    SupporterType.GOVERNMENT: ngettext_lazy(
        "%(count)s government", "%(count)s governments", "count"
    ),
    SupporterType.PARLIAMENT: ngettext_lazy(
        "%(count)s parliament or group of parliamentarians",
        "%(count)s parliaments or groups of parliamentarians",
        "count",
    ),
    SupporterType.NGO: ngettext_lazy("%(count)s NGO", "%(count)s NGOs", "count"),
    SupporterType.LAWYERS: ngettext_lazy(
        "%(count)s lawyers' group", "%(count)s lawyers' groups", "count"
    ),
    SupporterType.PUBLIC_FIGURE: ngettext_lazy(
        "%(count)s public figure", "%(count)s public figures", "count"
    ),
}


def statements_for_case(*, case) -> list[Statement]:
    """The case's statements in date order, each with `.linked_updates` (live), in two queries.

    Rendering many pages (snapshot_reads: the register's filtered views), read once.
    """
    language = get_language() or settings.LANGUAGE_CODE
    return snapshot_memo(
        ("statements-of-case", case.pk, language),
        lambda: _statements_load(case=case, language=language),
    )


def _statements_load(*, case, language: str) -> list[Statement]:
    statements = list(
        Statement.objects.filter(case=case).select_related("source_document").order_by("date", "pk")
    )
    by_pk = {}
    for statement in statements:
        statement.linked_updates = []
        by_pk[statement.pk] = statement
    if statements:
        links = (
            Statement.updates.through.objects.filter(statement__case=case, updatepage__live=True)
            .select_related("updatepage")
            .order_by("updatepage__date", "pk")
        )
        for link in links:
            by_pk[link.statement_id].linked_updates.append(link.updatepage)
        linked_updates_localise(holders=statements, language=language)
    return statements


def statements_filter(
    statements,
    *,
    supporter_type: str | None = None,
    demand: str | None = None,
    year: int | None = None,
) -> list[Statement]:
    """The statements matching every filter given, in the order given.

    Filters in Python: the demands are a JSON list, and SQLite cannot search inside one.
    """
    return [
        s
        for s in statements
        if (supporter_type is None or s.supporter_type == supporter_type)
        and (demand is None or demand in s.demands)
        and (year is None or s.date.year == year)
    ]


def statement_years(*, statements) -> list[int]:
    """The years that have statements, oldest first."""
    return sorted({s.date.year for s in statements})


def statement_counts(*, statements) -> dict:
    """{"total", "by_type": [(value, label, count)], "by_demand": [...]}, zero counts left out.

    Types and demands keep the order of their choices, so the lists read the same on every page.
    """
    statements = list(statements)
    types = Counter(s.supporter_type for s in statements)
    demands = Counter(d for s in statements for d in set(s.demands))
    return {
        "total": len(statements),
        "by_type": [
            (value, label, types[value]) for value, label in SupporterType.choices if types[value]
        ],
        "by_demand": [
            (value, label, demands[value]) for value, label in Demand.choices if demands[value]
        ],
    }


def statement_filter_path(*, filters: dict[str, str]) -> str:
    """The path of a set of filters, in the fixed order: 'type/ngo/year/2023/'."""
    return "".join(f"{key}/{filters[key]}/" for key in FILTER_KEYS if key in filters)


def statement_filter_labels(*, filters: dict[str, str]) -> list[str]:
    """Readable names of the chosen filters, for the heading: ['NGO', '2023']."""
    labels = []
    if "type" in filters:
        labels.append(str(SupporterType(filters["type"]).label))
    if "demand" in filters:
        labels.append(str(Demand(filters["demand"]).label))
    if "year" in filters:
        labels.append(filters["year"])
    return labels


def statement_filter_links(*, base: str, filters: dict[str, str], statements) -> dict:
    """Plain links for each filter, keeping the other filters chosen.

    {"type": {"all": url, "options": [{"value", "label", "count", "url", "current"}]}, ...}
    Counts are over all the case's statements, so the links do not vanish as filters combine.
    """
    counts = statement_counts(statements=statements)
    options = {
        "type": counts["by_type"],
        "demand": counts["by_demand"],
        "year": [
            (str(year), str(year), n)
            for year, n in sorted(Counter(s.date.year for s in statements).items())
        ],
    }
    links = {}
    for key in FILTER_KEYS:
        without = {k: v for k, v in filters.items() if k != key}
        links[key] = {
            "all": base + statement_filter_path(filters=without),
            "current": filters.get(key),
            "options": [
                {
                    "value": value,
                    "label": label,
                    "count": n,
                    "url": base + statement_filter_path(filters={**without, key: value}),
                    "current": filters.get(key) == value,
                }
                for value, label, n in options[key]
            ],
        }
    return links


def _join(items: list[str]) -> str:
    if len(items) < 2:
        return "".join(items)
    return _("%(list)s and %(last)s") % {"list": ", ".join(items[:-1]), "last": items[-1]}


def statement_summary_text(*, by_type: list[tuple[str, str, int]]) -> str:
    """'2 UN bodies, 3 governments and 1 NGO'."""
    return _join([str(TYPE_COUNT_TEXT[value] % {"count": n}) for value, _label, n in by_type])


def support_summary(*, case, request=None) -> dict | None:
    """The one-line summary for the home and case pages, or None if there is nothing to show.

    One query: the live register page joined to the case's statements. (Home and
    case pages are at the 15-query budget; a register page in a private section
    is not expected, so view restrictions are not looked up here.)
    """
    if case is None:
        return None
    joined = list(
        SupportRegisterPage.objects.live()
        .filter(case=case, locale__language_code=get_language() or settings.LANGUAGE_CODE)
        .order_by("path")
        .values_list(
            "pk",
            "title",
            "path",
            "depth",
            "url_path",
            "locale_id",
            "case__statements__supporter_type",
            "case__statements__demands",
        )
    )
    if not joined:
        return None
    pk, title, path, depth, url_path, locale_id = joined[0][:6]
    register = SupportRegisterPage(
        pk=pk, title=title, path=path, depth=depth, url_path=url_path, locale_id=locale_id
    )
    rows = [(t, d) for row_pk, *_page, t, d in joined if row_pk == pk and t is not None]
    if not rows:
        return None
    calling = [(t, d) for t, d in rows if Demand.RELEASE in d]
    chosen = calling or rows
    types = Counter(t for t, _d in chosen)
    by_type = [
        (value, label, types[value]) for value, label in SupporterType.choices if types[value]
    ]
    total = len(chosen)
    if calling:
        headline = ngettext(
            "%(count)s statement calling for release",
            "%(count)s statements calling for release",
            total,
        ) % {"count": total}
    else:
        headline = ngettext(
            "%(count)s statement of support", "%(count)s statements of support", total
        ) % {"count": total}
    return {
        "register": register,
        "register_url": register.get_url(request),
        "total": total,
        "calling_for_release": bool(calling),
        "headline": headline,
        "from_text": statement_summary_text(by_type=by_type),
        "by_type": by_type,
    }


# -- chart ------------------------------------------------------------------

WIDTH = 400
MARGIN = 12
FONT = 12
# Each at least 4.5:1 against white (WCAG AA): #0a4b78 is 9.6:1, #8a1c1c 9.4:1, #595959 7:1.
COLOURS = {"bar": "#0a4b78", "mark": "#8a1c1c", "ink": "#1b1b1b", "line": "#595959"}


def _quarter(day: dt.date) -> tuple[int, int]:
    return day.year, (day.month - 1) // 3 + 1


def _quarter_label(year: int, quarter: int) -> str:
    return _("Q%(quarter)s %(year)s") % {"quarter": quarter, "year": year}


def _add(parent, tag: str, text: str | None = None, **attrs) -> ET.Element:
    element = ET.SubElement(
        parent, tag, {k.rstrip("_").replace("_", "-"): str(v) for k, v in attrs.items()}
    )
    if text is not None:
        element.text = text
    return element


def statements_chart_svg(*, statements, case, id_prefix: str = "support-chart") -> SafeString:
    """An accessible bar chart: statements per quarter, from the detention to the latest one.

    Empty when there are no statements. The <desc> lists every count, so the chart has a
    full text alternative.
    """
    statements = list(statements)
    if not statements:
        return mark_safe("")
    dates = [s.date for s in statements]
    first_q = _quarter(min([case.detained_on, *dates]))
    last_q = _quarter(max(dates))
    quarters = []
    year, quarter = first_q
    while (year, quarter) <= last_q:
        quarters.append((year, quarter))
        year, quarter = (year + 1, 1) if quarter == 4 else (year, quarter + 1)
    per_quarter = Counter(_quarter(d) for d in dates)
    peak = max(per_quarter.values())

    top, bottom, height = 28, 140, 190
    inner = WIDTH - 2 * MARGIN
    slot = inner / len(quarters)
    bar_width = round(max(slot * 0.7, 1.5), 1)

    title_id, desc_id = f"{id_prefix}-title", f"{id_prefix}-desc"
    svg = ET.Element(
        "svg",
        {
            "xmlns": "http://www.w3.org/2000/svg",
            "viewBox": f"0 0 {WIDTH} {height}",
            "width": "100%",
            "role": "img",
            "class": "case-chart support-chart",
            "aria-labelledby": title_id,
            "aria-describedby": desc_id,
            "font-family": "system-ui, sans-serif",
            "font-size": str(FONT),
        },
    )
    _add(
        svg,
        "title",
        _("Statements of support for %(name)s, by quarter") % {"name": case.display_name},
        id=title_id,
    )
    counts = statement_counts(statements=statements)
    parts = [
        ngettext(
            "%(count)s statement from %(start)s to %(end)s.",
            "%(count)s statements from %(start)s to %(end)s.",
            counts["total"],
        )
        % {
            "count": counts["total"],
            "start": date_format(min(dates), "YEAR_MONTH_FORMAT"),
            "end": date_format(max(dates), "YEAR_MONTH_FORMAT"),
        },
        _("By type: %(list)s.")
        % {"list": "; ".join(f"{label}: {n}" for _v, label, n in counts["by_type"])},
        _("By demand: %(list)s.")
        % {"list": "; ".join(f"{label}: {n}" for _v, label, n in counts["by_demand"])},
        _("By quarter: %(list)s.")
        % {
            "list": "; ".join(
                f"{_quarter_label(*q)}: {per_quarter[q]}" for q in quarters if per_quarter[q]
            )
        },
    ]
    _add(svg, "desc", " ".join(parts), id=desc_id)

    # Axis and the peak value as a scale.
    _add(svg, "line", x1=MARGIN, x2=WIDTH - MARGIN, y1=bottom, y2=bottom, stroke=COLOURS["line"])
    _add(
        svg,
        "line",
        x1=MARGIN,
        x2=WIDTH - MARGIN,
        y1=top,
        y2=top,
        stroke=COLOURS["line"],
        stroke_width=0.5,
        stroke_dasharray="2 3",
    )
    _add(
        svg,
        "text",
        ngettext("%(count)s statement", "%(count)s statements", peak) % {"count": peak},
        x=MARGIN,
        y=top - 6,
        fill=COLOURS["ink"],
        font_size=FONT - 1,
    )

    def x(q: tuple[int, int]) -> float:
        return MARGIN + slot * quarters.index(q)

    # Detention, marked where the chart starts counting.
    detained = _quarter(case.detained_on)
    dx = round(x(detained) + slot / 2, 1)
    mark = _add(svg, "g", class_="support-chart__detained")
    _add(
        mark,
        "title",
        _("Detained on %(date)s") % {"date": date_format(case.detained_on, "DATE_FORMAT")},
    )
    _add(
        mark,
        "line",
        x1=dx,
        x2=dx,
        y1=top,
        y2=bottom,
        stroke=COLOURS["mark"],
        stroke_width=1.5,
        stroke_dasharray="4 3",
    )

    for q in quarters:
        n = per_quarter[q]
        if not n:
            continue
        bar_height = round((bottom - top) * n / peak, 1)
        bx = round(x(q) + (slot - bar_width) / 2, 1)
        bar = _add(
            svg,
            "rect",
            class_="support-chart__bar",
            x=bx,
            y=round(bottom - bar_height, 1),
            width=bar_width,
            height=bar_height,
            fill=COLOURS["bar"],
        )
        _add(
            bar,
            "title",
            ngettext("%(quarter)s: %(count)s statement", "%(quarter)s: %(count)s statements", n)
            % {"quarter": _quarter_label(*q), "count": n},
        )
        if slot >= 14:
            _add(
                svg,
                "text",
                str(n),
                x=round(bx + bar_width / 2, 1),
                y=round(bottom - bar_height - 3, 1),
                fill=COLOURS["ink"],
                font_size=FONT - 2,
                text_anchor="middle",
            )

    # Years under the axis, thinned out so they never overlap.
    years = sorted({year for year, _q in quarters})
    step = max(1, -(-len(years) // 6))
    for year in years[::step]:
        first_of_year = next(q for q in quarters if q[0] == year)
        tx = round(x(first_of_year), 1)
        _add(svg, "line", x1=tx, x2=tx, y1=bottom, y2=bottom + 5, stroke=COLOURS["line"])
        _add(svg, "text", str(year), x=tx, y=bottom + 18, fill=COLOURS["ink"])

    # Legend, side by side.
    ly = height - 10
    _add(svg, "rect", x=MARGIN, y=ly - 9, width=10, height=10, fill=COLOURS["bar"])
    _add(
        svg,
        "text",
        _("Statements in the quarter"),
        x=MARGIN + 14,
        y=ly,
        fill=COLOURS["ink"],
        font_size=FONT - 1,
    )
    lx = MARGIN + inner / 2
    _add(
        svg,
        "line",
        x1=lx + 5,
        x2=lx + 5,
        y1=ly - 11,
        y2=ly + 2,
        stroke=COLOURS["mark"],
        stroke_width=1.5,
        stroke_dasharray="4 3",
    )
    _add(
        svg,
        "text",
        _("Detained"),
        x=lx + 14,
        y=ly,
        fill=COLOURS["ink"],
        font_size=FONT - 1,
    )
    return mark_safe(ET.tostring(svg, encoding="unicode"))  # noqa: S308 - built by ElementTree
