"""The case at a glance: an inline SVG chart of detention, detention orders and their gaps.

Drawn on the server with xml.etree (which escapes every text and attribute), so
it needs no JavaScript and reads the same in the static mirror. It scales to its
container through its viewBox; the orders table on the page is its text form.
"""

import datetime as dt
import xml.etree.ElementTree as ET

from django.utils.formats import date_format
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from . import services
from .exports import KEY_EVENT_KINDS

WIDTH = 400
MARGIN = 12
FONT = 12


def _text_width(text: str, *, size: float = FONT - 1) -> float:
    """An upper estimate of a label's width in the chart's units (system-ui averages
    about 0.55 em a letter, Cyrillic a little more)."""
    return len(text) * size * 0.62


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


def _day(value: dt.date) -> str:
    return date_format(value, "DATE_FORMAT")


def _add(parent, tag: str, text: str | None = None, **attrs) -> ET.Element:
    element = ET.SubElement(
        parent, tag, {k.rstrip("_").replace("_", "-"): str(v) for k, v in attrs.items()}
    )
    if text is not None:
        element.text = text
    return element


def _order_start(order, previous_end: dt.date | None, detained_on: dt.date) -> dt.date:
    public = services.order_public_from(order)
    if public:
        return public
    return previous_end + dt.timedelta(days=1) if previous_end else detained_on


def case_timeline_svg(
    *,
    case,
    report: services.OrdersReport,
    events,
    today: dt.date,
    id_prefix: str = "case-chart",
    described_by: str = "",
) -> SafeString:
    """An accessible chart: the detention, each order as a bar, gaps hatched, key events marked."""
    end = case.released_on or today
    order_bars = []
    previous_end = None
    for order in report.orders:
        start = _order_start(order, previous_end, case.detained_on)
        order_bars.append((order, start, order.valid_until))
        previous_end = order.valid_until
    first = min([case.detained_on, *(start for _o, start, _e in order_bars)])
    # Draw the stretch where the legal record happened (orders, gaps, key events)
    # rather than the whole detention: years of imprisonment after a verdict would
    # squeeze the orders into slivers. The detention bar then runs off the edge.
    key_dates = [e.date for e in events if e.kind in KEY_EVENT_KINDS and e.date >= first]
    record_end = max(
        [
            case.detained_on + dt.timedelta(days=60),
            *(until for _o, _s, until in order_bars),
            *(gap.end for gap in report.gaps),
            *key_dates,
        ]
    )
    last = (
        min(end, record_end + dt.timedelta(days=30))
        if end > record_end
        else max([end, *(until for _o, _s, until in order_bars)])
    )
    continues = end > last
    span = max((last - first).days, 1)
    inner = WIDTH - 2 * MARGIN

    def x(day: dt.date) -> float:
        return round(MARGIN + inner * (day - first).days / span, 1)

    def width(start: dt.date, until: dt.date) -> float:
        """Inclusive of the last day, and never thinner than a visible sliver."""
        return round(max(inner * ((until - start).days + 1) / span, 1.5), 1)

    rows = {"detention": 22, "orders": 58, "gap_labels": 84, "marks": 110, "axis": 130}
    legend = [
        (COLOURS["detention"], _("Detained")),
        (COLOURS["order"], _("Order")),
        (f"url(#{id_prefix}-hatch)", _("No public order")),
        (COLOURS["mark"], _("Key event")),
    ]
    # Two by two where every label fits its half of the width (a generous estimate of
    # the text's width), else one a line: Russian's "No public order" overran the next.
    legend_columns = 2 if all(_text_width(label) <= inner / 2 - 20 for _f, label in legend) else 1
    height = 206 + (len(legend) // legend_columns - 2) * 16

    title_id, desc_id = f"{id_prefix}-title", f"{id_prefix}-desc"
    svg = ET.Element(
        "svg",
        {
            "xmlns": "http://www.w3.org/2000/svg",
            "viewBox": f"0 0 {WIDTH} {height}",
            "width": "100%",
            "role": "img",
            "class": "case-chart",
            "aria-labelledby": title_id,
            "aria-describedby": " ".join(filter(None, [desc_id, described_by])),
            "font-family": "system-ui, sans-serif",
            "font-size": str(FONT),
        },
    )
    _add(
        svg,
        "title",
        _("Detention of %(name)s and the orders that held them") % {"name": case.display_name},
        id=title_id,
    )
    days = (end - case.detained_on).days
    parts = [
        ngettext(
            "Held from %(start)s to %(end)s: %(days)s day.",
            "Held from %(start)s to %(end)s: %(days)s days.",
            days,
        )
        % {"start": _day(case.detained_on), "end": _day(end), "days": days},
        ngettext(
            "%(count)s detention order is known.",
            "%(count)s detention orders are known.",
            len(order_bars),
        )
        % {"count": len(order_bars)},
    ]
    for gap in report.gaps:
        parts.append(
            ngettext(
                "No public order from %(start)s to %(end)s (%(days)s day).",
                "No public order from %(start)s to %(end)s (%(days)s days).",
                gap.days,
            )
            % {"start": _day(gap.start), "end": _day(gap.end), "days": gap.days}
        )
    _add(svg, "desc", " ".join(parts), id=desc_id)

    defs = _add(svg, "defs")
    pattern = _add(
        defs,
        "pattern",
        id=f"{id_prefix}-hatch",
        width=6,
        height=6,
        patternUnits="userSpaceOnUse",
        patternTransform="rotate(45)",
    )
    _add(pattern, "rect", width=6, height=6, fill=COLOURS["gap_fill"])
    _add(pattern, "rect", width=2.5, height=6, fill=COLOURS["gap"])

    # Detention span.
    y = rows["detention"]
    _add(svg, "text", _("Detained"), x=MARGIN, y=y - 5, fill=COLOURS["ink"])
    bar = _add(
        svg,
        "rect",
        class_="chart-detention",
        x=x(case.detained_on),
        y=y,
        width=width(case.detained_on, min(end, last)),
        height=12,
        fill=COLOURS["detention"],
    )
    if continues:
        _add(
            svg,
            "text",
            _("continues to %(date)s →") % {"date": _day(end)},
            x=WIDTH - MARGIN,
            y=y - 5,
            fill=COLOURS["ink"],
            text_anchor="end",
            font_size=FONT - 1,
        )
    _add(
        bar,
        "title",
        _("%(start)s to %(end)s") % {"start": _day(case.detained_on), "end": _day(end)},
    )

    # Orders, alternating between two lanes so overlaps show.
    y = rows["orders"]
    _add(svg, "text", _("Detention orders"), x=MARGIN, y=y - 5, fill=COLOURS["ink"])
    for n, (order, start, until) in enumerate(order_bars):
        rect = _add(
            svg,
            "rect",
            class_="chart-order" + (" chart-order--in-force" if order is report.in_force else ""),
            x=x(start),
            y=y + (n % 2) * 7,
            width=width(start, until),
            height=8,
            fill=COLOURS["order"],
            stroke="#ffffff",
            stroke_width=0.5,
        )
        _add(rect, "title", _("Order valid until %(date)s") % {"date": _day(until)})

    # Gaps, hatched and labelled with their length.
    for gap in report.gaps:
        group = _add(svg, "g", class_="chart-gap")
        _add(
            group,
            "title",
            _("No public order from %(start)s to %(end)s")
            % {"start": _day(gap.start), "end": _day(gap.end)},
        )
        _add(
            group,
            "rect",
            x=x(gap.start),
            y=y,
            width=width(gap.start, gap.end),
            height=15,
            fill=f"url(#{id_prefix}-hatch)",
            stroke=COLOURS["gap"],
            stroke_width=1,
        )
        # Narrow gaps keep their tooltip only: the table below lists every gap.
        gap_start, gap_end = max(gap.start, first), min(gap.end, last)
        if gap_end >= gap_start and width(gap_start, gap_end) >= 28:
            centre = x(gap_start) + width(gap_start, gap_end) / 2
            _add(
                group,
                "text",
                ngettext("%(days)s day", "%(days)s days", gap.days) % {"days": gap.days},
                x=round(min(max(centre, MARGIN + 20), WIDTH - MARGIN - 20), 1),
                y=rows["gap_labels"],
                fill=COLOURS["gap"],
                font_size=FONT - 2,
                text_anchor="middle",
            )

    # Key events.
    y = rows["marks"]
    for event in events:
        if event.kind not in KEY_EVENT_KINDS or not first <= event.date <= last:
            continue
        cx = x(event.date)
        mark = _add(
            svg,
            "path",
            class_="chart-mark",
            d=f"M{cx} {y - 6} L{cx + 5} {y} L{cx} {y + 6} L{cx - 5} {y} Z",
            fill=COLOURS["mark"],
        )
        _add(mark, "title", f"{_day(event.date)}: {event.title}")

    # Year ticks.
    y = rows["axis"]
    _add(svg, "line", x1=MARGIN, x2=WIDTH - MARGIN, y1=y, y2=y, stroke=COLOURS["line"])
    years = range(first.year + 1, last.year + 1)
    step = max(1, -(-len(years) // 6))
    for year in years[::step]:
        tick = x(dt.date(year, 1, 1))
        _add(
            svg,
            "line",
            class_="chart-tick",
            x1=tick,
            x2=tick,
            y1=y,
            y2=y + 6,
            stroke=COLOURS["line"],
        )
        _add(svg, "text", str(year), x=tick, y=y + 19, fill=COLOURS["ink"], text_anchor="middle")
    # The first year is named at the left edge, where its tick would be off the chart.
    _add(svg, "text", str(first.year), x=MARGIN, y=y + 19, fill=COLOURS["ink"])

    for n, (fill, label) in enumerate(legend):
        lx = MARGIN + (n % legend_columns) * (inner / 2)
        y = 170 + (n // legend_columns) * 16
        _add(
            svg,
            "rect",
            x=lx,
            y=y - 9,
            width=10,
            height=10,
            fill=fill,
            stroke=COLOURS["ink"],
            stroke_width=0.5,
        )
        _add(svg, "text", label, x=lx + 14, y=y, fill=COLOURS["ink"], font_size=FONT - 1)

    return mark_safe(ET.tostring(svg, encoding="unicode"))  # noqa: S308 - built by ElementTree
