import datetime as dt
import xml.etree.ElementTree as ET
from types import SimpleNamespace

from vigil.cases import services
from vigil.cases.svg import case_timeline_svg

D = dt.date
NS = "{http://www.w3.org/2000/svg}"


def _case(**fields):
    values = {
        "display_name": "Test <Person>",
        "detained_on": D(2022, 1, 8),
        "released_on": None,
    }
    values.update(fields)
    return SimpleNamespace(**values)


def _order(valid_until, authorised_on=None, announced_on=None, pk=None):
    return SimpleNamespace(
        pk=pk, valid_until=valid_until, authorised_on=authorised_on, announced_on=announced_on
    )


TODAY = D(2023, 6, 1)


def _svg(orders, events=(), today=TODAY, **case_fields):
    case = _case(**case_fields)
    report = services.detention_orders_analyse(
        orders=orders, detained_on=case.detained_on, today=today, released_on=case.released_on
    )
    timeline = services.case_timeline_build(
        case=case, report=report, events=list(events), today=today
    )
    markup = case_timeline_svg(timeline=timeline, described_by="case-orders")
    return markup, ET.fromstring(markup), report


def test_svg_is_an_accessible_image_with_title_and_description():
    """role="img", a <title> and <desc> it is labelled and described by, and the table too."""
    _markup, svg, _report = _svg([_order(D(2022, 3, 8), authorised_on=D(2022, 1, 8))])
    assert svg.get("role") == "img"
    title, desc = svg.find(f"{NS}title"), svg.find(f"{NS}desc")
    assert title is not None and desc is not None
    assert "Test <Person>" in title.text  # escaped in the markup, intact once parsed
    assert svg.get("aria-labelledby") == title.get("id")
    assert svg.get("aria-describedby").split() == [desc.get("id"), "case-orders"]
    assert svg.get("viewBox").startswith("0 0 ") and svg.get("width") == "100%"
    assert "style" not in svg.attrib


def test_one_bar_per_order_and_a_labelled_gap_for_each_gap():
    """Three orders draw three bars; the unannounced stretch is a hatched, labelled gap."""
    orders = [
        _order(D(2022, 3, 8), authorised_on=D(2022, 1, 8)),
        _order(D(2022, 4, 6), announced_on=D(2022, 3, 24)),
        _order(D(2022, 6, 6), authorised_on=D(2022, 4, 7)),
    ]
    markup, svg, report = _svg(orders, today=D(2022, 6, 1))
    bars = [r for r in svg.iter(f"{NS}rect") if "chart-order" in (r.get("class") or "")]
    assert len(bars) == 3
    assert sum("chart-order--in-force" in r.get("class") for r in bars) == 1
    gaps = [g for g in svg.iter(f"{NS}g") if g.get("class") == "chart-gap"]
    assert len(gaps) == len(report.gaps) == 1
    assert gaps[0].find(f"{NS}rect").get("fill").startswith("url(#")
    assert gaps[0].find(f"{NS}text").text == "15 days"
    assert "No public order from 9 March 2022 to 23 March 2022 (15 days)." in (
        svg.find(f"{NS}desc").text
    )


def test_key_events_are_marked_and_years_ticked():
    """Verdict, court, UN body and detention events get marks; others do not; years get ticks."""
    events = [
        SimpleNamespace(date=D(2022, 1, 8), kind="detention", title="Detained"),
        SimpleNamespace(date=D(2022, 12, 1), kind="court", title="Trial"),
        SimpleNamespace(date=D(2023, 4, 24), kind="verdict", title="Verdict"),
        SimpleNamespace(date=D(2023, 1, 2), kind="statement", title="Statement"),
    ]
    _markup, svg, _report = _svg([], events=events)
    marks = [p for p in svg.iter(f"{NS}path") if p.get("class") == "chart-mark"]
    assert len(marks) == 3
    ticks = [line for line in svg.iter(f"{NS}line") if line.get("class") == "chart-tick"]
    assert len(ticks) == 1  # 1 January 2023
    assert "2023" in [t.text for t in svg.iter(f"{NS}text")]


def test_released_case_stops_at_release_and_no_orders_is_one_gap():
    """A released person's bar ends at release; with no public order it is all one gap."""
    _markup, svg, report = _svg([], released_on=D(2022, 2, 7))
    assert report.gaps == [services.Gap(D(2022, 1, 8), D(2022, 2, 7))]
    assert "31 days" in svg.find(f"{NS}desc").text


def test_legend_labels_never_overlap_in_any_language():
    """Each legend label ends before the next one in its line starts, and inside the
    chart: the Russian "No public order" ran into "Key event" when two shared a line."""
    from django.utils import translation

    from vigil.core.charts import WIDTH, text_width

    for language in ("en", "ru", "kk"):
        with translation.override(language):
            _markup, svg, _report = _svg([_order(D(2022, 3, 8), authorised_on=D(2022, 1, 8))])
        height = float(svg.get("viewBox").split()[3])
        texts = [t for t in svg.iter(f"{NS}text") if t.get("font-size") == "11"]
        assert len(texts) == 4, language
        lines: dict[float, list] = {}
        for text in texts:
            lines.setdefault(float(text.get("y")), []).append(text)
            assert float(text.get("y")) < height, language
        for line in lines.values():
            line.sort(key=lambda t: float(t.get("x")))
            for left, right in zip(line, line[1:], strict=False):
                end = float(left.get("x")) + text_width(left.text)
                assert end < float(right.get("x")) - 14, (language, left.text, right.text)
            last = line[-1]
            assert float(last.get("x")) + text_width(last.text) <= WIDTH, (language, last.text)
