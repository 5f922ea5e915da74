"""The case at a glance: an inline SVG chart of detention, detention orders and their gaps.

It draws plain data (services.CaseTimeline) and reads no model; the frame, axis and
legend are those of every chart (core.charts). The orders table on the page is its
text form.
"""

import datetime as dt
from dataclasses import dataclass

from django.utils.formats import date_format
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

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
    text_width,
    years_thinned,
)

from .services import CaseTimeline

# Dark on white: each is at least 7:1 against #fff, well beyond WCAG AA.
COLOURS = {
    "detention": "#1d2a36",
    "order": "#0a4b78",
    "gap": "#8a1c1c",
    "gap_fill": "#fff3c4",
    "mark": "#8a1c1c",
    "ink": "#1b1b1b",
    "line": "#6b6b6b",
}
ROWS = {"detention": 22, "orders": 58, "gap_labels": 84, "marks": 110, "axis": 130}


def _day(value: dt.date) -> str:
    return date_format(value, "DATE_FORMAT")


@dataclass(frozen=True)
class _Scale:
    """Days to the chart's units, from `first` to `last`."""

    first: dt.date
    last: dt.date

    @property
    def span(self) -> int:
        return max((self.last - self.first).days, 1)

    def x(self, day: dt.date) -> float:
        return round(MARGIN + INNER * (day - self.first).days / self.span, 1)

    def width(self, start: dt.date, until: dt.date) -> float:
        """Inclusive of the last day, and never thinner than a visible sliver."""
        return round(max(INNER * ((until - start).days + 1) / self.span, 1.5), 1)


def _scale(timeline: CaseTimeline) -> _Scale:
    """Draw the stretch where the legal record happened (orders, gaps, key events) rather
    than the whole detention: years of imprisonment after a verdict would squeeze the
    orders into slivers. The detention bar then runs off the edge."""
    first = min([timeline.detained_on, *(bar.start for bar in timeline.orders)])
    record_end = max(
        [
            timeline.detained_on + dt.timedelta(days=60),
            *(bar.until for bar in timeline.orders),
            *(gap.end for gap in timeline.gaps),
            *(mark.date for mark in timeline.marks if mark.date >= first),
        ]
    )
    end = timeline.end
    last = (
        min(end, record_end + dt.timedelta(days=30))
        if end > record_end
        else max([end, *(bar.until for bar in timeline.orders)])
    )
    return _Scale(first, last)


def _legend(id_prefix: str) -> list[tuple[str, str]]:
    return [
        (COLOURS["detention"], _("Detained")),
        (COLOURS["order"], _("Order")),
        (f"url(#{id_prefix}-hatch)", _("No public order")),
        (COLOURS["mark"], _("Key event")),
    ]


def _description(timeline: CaseTimeline) -> str:
    days = (timeline.end - timeline.detained_on).days
    parts = [
        ngettext(
            "Held from %(start)s to %(end)s: %(days)s day.",
            "Held from %(start)s to %(end)s: %(days)s days.",
            days,
        )
        % {"start": _day(timeline.detained_on), "end": _day(timeline.end), "days": days},
        ngettext(
            "%(count)s detention order is known.",
            "%(count)s detention orders are known.",
            len(timeline.orders),
        )
        % {"count": len(timeline.orders)},
    ]
    for gap in timeline.gaps:
        parts.append(
            ngettext(
                "No public order from %(start)s to %(end)s (%(days)s day).",
                "No public order from %(start)s to %(end)s (%(days)s days).",
                gap.days,
            )
            % {"start": _day(gap.start), "end": _day(gap.end), "days": gap.days}
        )
    return " ".join(parts)


def _hatch_define(svg, *, id_prefix: str) -> None:
    defs = chart_add(svg, "defs")
    pattern = chart_add(
        defs,
        "pattern",
        id=f"{id_prefix}-hatch",
        width=6,
        height=6,
        patternUnits="userSpaceOnUse",
        patternTransform="rotate(45)",
    )
    chart_add(pattern, "rect", width=6, height=6, fill=COLOURS["gap_fill"])
    chart_add(pattern, "rect", width=2.5, height=6, fill=COLOURS["gap"])


def _detention_draw(svg, *, timeline: CaseTimeline, scale: _Scale) -> None:
    y, start, end = ROWS["detention"], timeline.detained_on, timeline.end
    chart_add(svg, "text", _("Detained"), x=MARGIN, y=y - 5, fill=COLOURS["ink"])
    bar = chart_add(
        svg,
        "rect",
        class_="chart-detention",
        x=scale.x(start),
        y=y,
        width=scale.width(start, min(end, scale.last)),
        height=12,
        fill=COLOURS["detention"],
    )
    if end > scale.last:
        chart_add(
            svg,
            "text",
            _("continues to %(date)s →") % {"date": _day(end)},
            x=WIDTH - MARGIN,
            y=y - 5,
            fill=COLOURS["ink"],
            text_anchor="end",
            font_size=FONT - 1,
        )
    chart_add(bar, "title", _("%(start)s to %(end)s") % {"start": _day(start), "end": _day(end)})


def _orders_draw(svg, *, timeline: CaseTimeline, scale: _Scale) -> None:
    """Orders, alternating between two lanes so overlaps show."""
    y = ROWS["orders"]
    chart_add(svg, "text", _("Detention orders"), x=MARGIN, y=y - 5, fill=COLOURS["ink"])
    for n, bar in enumerate(timeline.orders):
        rect = chart_add(
            svg,
            "rect",
            class_="chart-order" + (" chart-order--in-force" if bar.in_force else ""),
            x=scale.x(bar.start),
            y=y + (n % 2) * 7,
            width=scale.width(bar.start, bar.until),
            height=8,
            fill=COLOURS["order"],
            stroke="#ffffff",
            stroke_width=0.5,
        )
        chart_add(rect, "title", _("Order valid until %(date)s") % {"date": _day(bar.until)})


def _gaps_draw(svg, *, timeline: CaseTimeline, scale: _Scale, id_prefix: str) -> None:
    """Gaps, hatched and labelled with their length."""
    for gap in timeline.gaps:
        group = chart_add(svg, "g", class_="chart-gap")
        chart_add(
            group,
            "title",
            _("No public order from %(start)s to %(end)s")
            % {"start": _day(gap.start), "end": _day(gap.end)},
        )
        chart_add(
            group,
            "rect",
            x=scale.x(gap.start),
            y=ROWS["orders"],
            width=scale.width(gap.start, gap.end),
            height=15,
            fill=f"url(#{id_prefix}-hatch)",
            stroke=COLOURS["gap"],
            stroke_width=1,
        )
        # Narrow gaps keep their tooltip only: the table below lists every gap.
        gap_start, gap_end = max(gap.start, scale.first), min(gap.end, scale.last)
        if gap_end >= gap_start and scale.width(gap_start, gap_end) >= 28:
            centre = scale.x(gap_start) + scale.width(gap_start, gap_end) / 2
            chart_add(
                group,
                "text",
                ngettext("%(days)s day", "%(days)s days", gap.days) % {"days": gap.days},
                x=round(min(max(centre, MARGIN + 20), WIDTH - MARGIN - 20), 1),
                y=ROWS["gap_labels"],
                fill=COLOURS["gap"],
                font_size=FONT - 2,
                text_anchor="middle",
            )


def _marks_draw(svg, *, timeline: CaseTimeline, scale: _Scale) -> None:
    y = ROWS["marks"]
    for event in timeline.marks:
        if not scale.first <= event.date <= scale.last:
            continue
        cx = scale.x(event.date)
        mark = chart_add(
            svg,
            "path",
            class_="chart-mark",
            d=f"M{cx} {y - 6} L{cx + 5} {y} L{cx} {y + 6} L{cx - 5} {y} Z",
            fill=COLOURS["mark"],
        )
        chart_add(mark, "title", f"{_day(event.date)}: {event.title}")


def _years_draw(svg, *, scale: _Scale) -> None:
    y = ROWS["axis"]
    chart_axis(svg, y=y, stroke=COLOURS["line"])
    for year in years_thinned(range(scale.first.year + 1, scale.last.year + 1)):
        chart_year_tick(
            svg,
            year=year,
            x=scale.x(dt.date(year, 1, 1)),
            y=y,
            length=6,
            label_below=19,
            colours=COLOURS,
            tick_class="chart-tick",
            centred=True,
        )
    # The first year is named at the left edge, where its tick would be off the chart.
    chart_add(svg, "text", str(scale.first.year), x=MARGIN, y=y + 19, fill=COLOURS["ink"])


def case_timeline_svg(
    *, timeline: CaseTimeline, id_prefix: str = "case-chart", described_by: str = ""
) -> SafeString:
    """An accessible chart: the detention, each order as a bar, gaps hatched, key events marked."""
    scale = _scale(timeline)
    legend = _legend(id_prefix)
    # Two by two where every label fits its half of the width (a generous estimate of
    # the text's width), else one a line: Russian's "No public order" overran the next.
    legend_columns = 2 if all(text_width(label) <= INNER / 2 - 20 for _f, label in legend) else 1
    svg = chart_frame(
        height=206 + (len(legend) // legend_columns - 2) * 16,
        css_class="case-chart",
        id_prefix=id_prefix,
        title=_("Detention of %(name)s and the orders that held them") % {"name": timeline.name},
        desc=_description(timeline),
        described_by=described_by,
    )
    _hatch_define(svg, id_prefix=id_prefix)
    _detention_draw(svg, timeline=timeline, scale=scale)
    _orders_draw(svg, timeline=timeline, scale=scale)
    _gaps_draw(svg, timeline=timeline, scale=scale, id_prefix=id_prefix)
    _marks_draw(svg, timeline=timeline, scale=scale)
    _years_draw(svg, scale=scale)
    for n, (fill, label) in enumerate(legend):
        lx = MARGIN + (n % legend_columns) * (INNER / 2)
        y = 170 + (n // legend_columns) * 16
        chart_legend_swatch(svg, x=lx, y=y, fill=fill, outline=COLOURS["ink"])
        chart_legend_label(svg, label, x=lx, y=y, ink=COLOURS["ink"])
    return chart_markup(svg)
