"""What every chart on the site shares: the frame, the axis, the year labels and the legend.

Charts are drawn on the server with xml.etree (which escapes every text and attribute),
so they need no JavaScript and read the same in the static mirror. They scale to their
container through the viewBox. This module knows no domain: each chart passes its data,
its colours and its words.
"""

import xml.etree.ElementTree as ET

from django.utils.safestring import SafeString, mark_safe

WIDTH = 400
MARGIN = 12
FONT = 12
INNER = WIDTH - 2 * MARGIN
# Year labels name at most this many years, so they never overlap.
MOST_YEARS = 6


def text_width(text: str, *, size: float = FONT - 1) -> float:
    """An upper estimate of a label's width in the chart's units (system-ui averages
    about 0.55 em a letter, Cyrillic a little more)."""
    return len(text) * size * 0.62


def chart_add(parent, tag: str, text: str | None = None, **attrs) -> ET.Element:
    """A child element; `class_` and `stroke_width` become `class` and `stroke-width`."""
    element = ET.SubElement(
        parent, tag, {k.rstrip("_").replace("_", "-"): str(v) for k, v in attrs.items()}
    )
    if text is not None:
        element.text = text
    return element


def chart_frame(
    *,
    height: float,
    css_class: str,
    id_prefix: str,
    title: str,
    desc: str,
    described_by: str = "",
) -> ET.Element:
    """The <svg> element: an image labelled by its <title> and described by its <desc>
    (and by `described_by`, another element of the page, such as the table it draws)."""
    title_id, desc_id = f"{id_prefix}-title", f"{id_prefix}-desc"
    svg = ET.Element(
        "svg",
        {
            "xmlns": "http://www.w3.org/2000/svg",
            "viewBox": f"0 0 {WIDTH} {height}",
            "width": "100%",
            "role": "img",
            "class": css_class,
            "aria-labelledby": title_id,
            "aria-describedby": " ".join(filter(None, [desc_id, described_by])),
            "font-family": "system-ui, sans-serif",
            "font-size": str(FONT),
        },
    )
    chart_add(svg, "title", title, id=title_id)
    chart_add(svg, "desc", desc, id=desc_id)
    return svg


def chart_axis(svg, *, y: float, stroke: str) -> None:
    """The horizontal axis, from margin to margin."""
    chart_add(svg, "line", x1=MARGIN, x2=WIDTH - MARGIN, y1=y, y2=y, stroke=stroke)


def years_thinned(years) -> list[int]:
    """Every year when there are few; else every second, third..., at most MOST_YEARS."""
    years = list(years)
    return years[:: max(1, -(-len(years) // MOST_YEARS))]


def chart_year_tick(
    svg,
    *,
    year: int,
    x: float,
    y: float,
    length: float,
    label_below: float,
    colours: dict[str, str],
    tick_class: str = "",
    centred: bool = False,
) -> None:
    """A tick down from the axis at `y` and the year written `label_below` it."""
    tick = {"class_": tick_class} if tick_class else {}
    chart_add(svg, "line", **tick, x1=x, x2=x, y1=y, y2=y + length, stroke=colours["line"])
    anchor = {"text_anchor": "middle"} if centred else {}
    chart_add(svg, "text", str(year), x=x, y=y + label_below, fill=colours["ink"], **anchor)


def chart_legend_swatch(svg, *, x: float, y: float, fill: str, outline: str = "") -> None:
    """A 10 by 10 square of a legend entry, its text's baseline at `y`."""
    stroke = {"stroke": outline, "stroke_width": 0.5} if outline else {}
    chart_add(svg, "rect", x=x, y=y - 9, width=10, height=10, fill=fill, **stroke)


def chart_legend_label(svg, text: str, *, x: float, y: float, ink: str) -> None:
    """A legend entry's words, to the right of its swatch at `x`."""
    chart_add(svg, "text", text, x=x + 14, y=y, fill=ink, font_size=FONT - 1)


def chart_markup(svg: ET.Element) -> SafeString:
    return mark_safe(ET.tostring(svg, encoding="unicode"))  # noqa: S308 - built by ElementTree
