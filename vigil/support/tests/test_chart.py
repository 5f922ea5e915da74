"""The statements chart: an accessible SVG drawn on the server."""

import datetime as dt
import xml.etree.ElementTree as ET

from vigil.support import services

from .factories import StatementFactory

SVG = "{http://www.w3.org/2000/svg}"


def test_chart_is_accessible_svg_with_a_text_alternative(case):
    """It parses as XML, is an image with a title and a description listing every count."""
    StatementFactory(case=case, supporter_type="un-body", date=dt.date(2022, 2, 1))
    StatementFactory(
        case=case, supporter_type="government", date=dt.date(2023, 5, 1), demands=["lawyer"]
    )
    StatementFactory(case=case, supporter_type="government", date=dt.date(2023, 6, 1))
    statements = services.statements_for_case(case=case)
    svg = ET.fromstring(services.statements_chart_svg(statements=statements, case=case))
    assert svg.get("role") == "img"
    assert svg.get("width") == "100%"
    assert svg.get("viewBox")
    title = svg.find(f"{SVG}title")
    desc = svg.find(f"{SVG}desc")
    assert title is not None and "Test Person" in title.text
    assert svg.get("aria-labelledby") == title.get("id")
    assert desc.get("id") in svg.get("aria-describedby")
    assert "3 statements" in desc.text
    assert "UN body: 1" in desc.text
    assert "Government: 2" in desc.text
    assert "Release: 2" in desc.text
    assert "Access to a lawyer: 1" in desc.text
    assert "Q2 2023: 2" in desc.text
    bars = [r for r in svg.iter(f"{SVG}rect") if r.get("class") == "support-chart__bar"]
    assert len(bars) == 2


def test_chart_escapes_names(case):
    """Text from editors is escaped, so the SVG always parses."""
    case.person_name = 'A <b>"bold"</b> & name'
    StatementFactory(case=case)
    svg = services.statements_chart_svg(
        statements=services.statements_for_case(case=case), case=case
    )
    assert ET.fromstring(svg).find(f"{SVG}title").text.startswith("Statements of support for A <b>")


def test_chart_is_empty_without_statements(case):
    """No statements, no chart: the page says so in words instead."""
    assert services.statements_chart_svg(statements=[], case=case) == ""


def test_chart_colours_have_enough_contrast():
    """Every colour reaches 4.5:1 against white."""

    def luminance(hex_colour):
        channels = [int(hex_colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
        linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
        return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]

    for colour in services.COLOURS.values():
        assert 1.05 / (luminance(colour) + 0.05) >= 4.5, colour
