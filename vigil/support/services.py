"""The support register: loading, filtering, counting and charting statements of support."""

import datetime as dt
from collections import Counter
from dataclasses import dataclass

from django.conf import settings
from django.utils.formats import date_format
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language, ngettext, ngettext_lazy
from django.utils.translation import gettext as _

from vigil.core.charts import (
    FONT,
    INNER,
    MARGIN,
    WIDTH,
    chart_add,
    chart_axis,
    chart_frame,
    chart_legend_label,
    chart_legend_swatch,
    chart_markup,
    chart_year_tick,
    years_thinned,
)
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

TOP, BOTTOM, HEIGHT = 28, 140, 190
# Each at least 4.5:1 against white (WCAG AA): #0a4b78 is 9.6:1, #8a1c1c 9.4:1, #595959 7:1.
COLOURS = {"bar": "#0a4b78", "mark": "#8a1c1c", "ink": "#1b1b1b", "line": "#595959"}


def _quarter(day: dt.date) -> tuple[int, int]:
    return day.year, (day.month - 1) // 3 + 1


def _quarter_label(year: int, quarter: int) -> str:
    return _("Q%(quarter)s %(year)s") % {"quarter": quarter, "year": year}


@dataclass(frozen=True)
class _Quarters:
    """Every quarter from the first to the last, each a slot of the chart's width."""

    quarters: list[tuple[int, int]]

    @classmethod
    def between(cls, first: tuple[int, int], last: tuple[int, int]) -> "_Quarters":
        quarters = []
        year, quarter = first
        while (year, quarter) <= last:
            quarters.append((year, quarter))
            year, quarter = (year + 1, 1) if quarter == 4 else (year, quarter + 1)
        return cls(quarters)

    @property
    def slot(self) -> float:
        return INNER / len(self.quarters)

    def x(self, q: tuple[int, int]) -> float:
        return MARGIN + self.slot * self.quarters.index(q)


def _chart_description(*, statements, dates, quarters: _Quarters, per_quarter) -> str:
    """Every count in words: the chart's full text alternative."""
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
                f"{_quarter_label(*q)}: {per_quarter[q]}"
                for q in quarters.quarters
                if per_quarter[q]
            )
        },
    ]
    return " ".join(parts)


def _chart_scale_draw(svg, *, peak: int) -> None:
    """The axis, and the peak value as a scale."""
    chart_axis(svg, y=BOTTOM, stroke=COLOURS["line"])
    chart_add(
        svg,
        "line",
        x1=MARGIN,
        x2=WIDTH - MARGIN,
        y1=TOP,
        y2=TOP,
        stroke=COLOURS["line"],
        stroke_width=0.5,
        stroke_dasharray="2 3",
    )
    chart_add(
        svg,
        "text",
        ngettext("%(count)s statement", "%(count)s statements", peak) % {"count": peak},
        x=MARGIN,
        y=TOP - 6,
        fill=COLOURS["ink"],
        font_size=FONT - 1,
    )


def _detained_line(parent, *, x: float, y1: float, y2: float) -> None:
    chart_add(
        parent,
        "line",
        x1=x,
        x2=x,
        y1=y1,
        y2=y2,
        stroke=COLOURS["mark"],
        stroke_width=1.5,
        stroke_dasharray="4 3",
    )


def _chart_detained_draw(svg, *, detained_on: dt.date, quarters: _Quarters) -> None:
    """Detention, marked where the chart starts counting."""
    dx = round(quarters.x(_quarter(detained_on)) + quarters.slot / 2, 1)
    mark = chart_add(svg, "g", class_="support-chart__detained")
    chart_add(
        mark, "title", _("Detained on %(date)s") % {"date": date_format(detained_on, "DATE_FORMAT")}
    )
    _detained_line(mark, x=dx, y1=TOP, y2=BOTTOM)


def _chart_bars_draw(svg, *, quarters: _Quarters, per_quarter, peak: int) -> None:
    slot = quarters.slot
    bar_width = round(max(slot * 0.7, 1.5), 1)
    for q in quarters.quarters:
        n = per_quarter[q]
        if not n:
            continue
        bar_height = round((BOTTOM - TOP) * n / peak, 1)
        bx = round(quarters.x(q) + (slot - bar_width) / 2, 1)
        bar = chart_add(
            svg,
            "rect",
            class_="support-chart__bar",
            x=bx,
            y=round(BOTTOM - bar_height, 1),
            width=bar_width,
            height=bar_height,
            fill=COLOURS["bar"],
        )
        chart_add(
            bar,
            "title",
            ngettext("%(quarter)s: %(count)s statement", "%(quarter)s: %(count)s statements", n)
            % {"quarter": _quarter_label(*q), "count": n},
        )
        if slot >= 14:
            chart_add(
                svg,
                "text",
                str(n),
                x=round(bx + bar_width / 2, 1),
                y=round(BOTTOM - bar_height - 3, 1),
                fill=COLOURS["ink"],
                font_size=FONT - 2,
                text_anchor="middle",
            )


def _chart_years_draw(svg, *, quarters: _Quarters) -> None:
    """Years under the axis, at each year's first quarter."""
    for year in years_thinned(sorted({year for year, _q in quarters.quarters})):
        first_of_year = next(q for q in quarters.quarters if q[0] == year)
        chart_year_tick(
            svg,
            year=year,
            x=round(quarters.x(first_of_year), 1),
            y=BOTTOM,
            length=5,
            label_below=18,
            colours=COLOURS,
        )


def _chart_legend_draw(svg) -> None:
    """Legend, side by side."""
    ly = HEIGHT - 10
    chart_legend_swatch(svg, x=MARGIN, y=ly, fill=COLOURS["bar"])
    chart_legend_label(svg, _("Statements in the quarter"), x=MARGIN, y=ly, ink=COLOURS["ink"])
    lx = MARGIN + INNER / 2
    _detained_line(svg, x=lx + 5, y1=ly - 11, y2=ly + 2)
    chart_legend_label(svg, _("Detained"), x=lx, y=ly, ink=COLOURS["ink"])


def statements_chart_svg(*, statements, case, id_prefix: str = "support-chart") -> SafeString:
    """An accessible bar chart: statements per quarter, from the detention to the latest one.

    Empty when there are no statements. The <desc> lists every count, so the chart has a
    full text alternative.
    """
    statements = list(statements)
    if not statements:
        return mark_safe("")
    dates = [s.date for s in statements]
    quarters = _Quarters.between(_quarter(min([case.detained_on, *dates])), _quarter(max(dates)))
    per_quarter = Counter(_quarter(d) for d in dates)
    peak = max(per_quarter.values())
    svg = chart_frame(
        height=HEIGHT,
        css_class="case-chart support-chart",
        id_prefix=id_prefix,
        title=_("Statements of support for %(name)s, by quarter") % {"name": case.display_name},
        desc=_chart_description(
            statements=statements, dates=dates, quarters=quarters, per_quarter=per_quarter
        ),
    )
    _chart_scale_draw(svg, peak=peak)
    _chart_detained_draw(svg, detained_on=case.detained_on, quarters=quarters)
    _chart_bars_draw(svg, quarters=quarters, per_quarter=per_quarter, peak=peak)
    _chart_years_draw(svg, quarters=quarters)
    _chart_legend_draw(svg)
    return chart_markup(svg)
