"""Journey 4: a case editor adds a detention order and a deadline, once, in English.

The facts of a case are shared by its languages: the same day, with the page cache on,
the English, Russian and Kazakh case pages, their fact sheets, case.json, case.ics and
timeline.csv, and the Case watch panel on the admin's dashboard all show them.

Steps the editor takes: sign in (name and password, authenticator code) (1-2), open the
case (a link in the Case watch panel) (3), the Legal record tab (4), add the order: one
button, four fields (5), add the deadline: one button, three fields (6), publish (7).
Nothing is done in Russian or Kazakh: their readers see the new facts at once, with
the English words marked as English until a translator translates them.
"""

import csv
import datetime as dt
import io
import json
import zoneinfo

import pytest
from django.utils import translation
from django.utils.formats import date_format
from playwright.sync_api import expect

from vigil.journeys.harness import LANGUAGES, language_path

pytestmark = pytest.mark.browser

CASE = "/cases/karim-massimov/"
COURT = "Specialised inter-district criminal court of Astana"
SOURCE = "Court press office"
DEADLINE = "Reply to the UN Special Rapporteur on torture"
OWED_BY = "Government of Kazakhstan"


def _dates() -> dict:
    """Dates around today where the person is held: an order made three days ago, in
    force for ten more days; a deadline in five days."""
    today = dt.datetime.now(zoneinfo.ZoneInfo("Asia/Almaty")).date()
    return {
        "today": today,
        "authorised_on": today - dt.timedelta(days=3),
        "valid_until": today + dt.timedelta(days=10),
        "due_on": today + dt.timedelta(days=5),
    }


def _in(language: str, day: dt.date) -> str:
    with translation.override(language):
        return date_format(day, "DATE_FORMAT")


def _warm(journey, language: str) -> None:
    """A reader opens the case page before the change: it is served from the page cache."""
    reader = journey.page(language=language)
    url = language_path(language, CASE)
    reader.goto(url)
    again = reader.goto(url)
    assert again.headers.get("x-vigil-cache") == "hit", again.headers
    expect(reader.locator("tr.orders__in-force")).to_have_count(0)
    journey.shot(reader, f"{language}-case-page-before")


def _inline_add(page, relation: str, values: dict) -> None:
    """Press the inline panel's add button and fill the new form's fields."""
    page.locator(f"#id_{relation}-ADD").click()
    index = int(page.locator(f"#id_{relation}-TOTAL_FORMS").input_value()) - 1
    for name, value in values.items():
        field = page.locator(f"#id_{relation}-{index}-{name}")
        # A click, as a person's: it also closes the date picker another field opened.
        field.click()
        field.fill(value)
        field.press("Tab")  # leaving the field closes its date picker


def _editor_adds_order_and_deadline(journey, dates: dict) -> None:
    # Wagtail's Moderators may publish (its Editors may only submit for moderation).
    editor = journey.user_create("case-editor", groups=("Moderators",))
    page = journey.page(language="en")
    journey.editor_sign_in(page, editor, next="/admin/")
    watch = page.locator("#case-watch-section")
    expect(watch).to_be_visible()
    expect(watch).not_to_contain_text(DEADLINE)
    journey.shot(page, "dashboard-before")

    watch.locator("h3 a").first.click()  # the case, by its title
    page.wait_for_load_state()
    page.get_by_role("tab", name="Legal record").click()
    journey.shot(page, "legal-record-tab")
    _inline_add(
        page,
        "orders",
        {
            "authorised_on": dates["authorised_on"].isoformat(),
            "valid_until": dates["valid_until"].isoformat(),
            "authorised_by": COURT,
            "source": SOURCE,
        },
    )
    _inline_add(
        page,
        "deadlines",
        # The date first: a picker opened by the last field would stay over the footer.
        {"due_on": dates["due_on"].isoformat(), "title": DEADLINE, "owed_by": OWED_BY},
    )
    # A date picker left open covers the footer's buttons until a click beside it, as a
    # person closes it: on the tab they are on.
    pickers = page.locator(".xdsoft_datetimepicker:visible")
    for _attempt in range(3):
        if not pickers.count():
            break
        page.keyboard.press("Escape")
        page.locator("input[id$='-owed_by']").last.click()
    expect(pickers).to_have_count(0)
    journey.shot(page, "order-and-deadline-typed", full_page=True)

    # Publish is in the menu beside "Save draft".
    page.get_by_role("button", name="More actions").click()
    page.locator("button[name=action-publish]").click()
    page.wait_for_load_state()
    expect(page.locator(".messages")).to_contain_text("published")
    journey.shot(page, "published")

    page.goto("/admin/")
    watch = page.locator("#case-watch-section")
    expect(watch).to_contain_text(f"Due in 5 days: {DEADLINE}.")
    expect(watch).to_contain_text(f"Detention order ends on {_in('en', dates['valid_until'])}.")
    journey.shot(page, "dashboard-case-watch")


def _reader_sees(journey, language: str, dates: dict) -> None:
    reader = journey.page(language=language)
    reader.goto(language_path(language, CASE))
    row = reader.locator("tr.orders__in-force")
    expect(row).to_have_count(1)
    expect(row).to_contain_text(COURT)
    expect(row).to_contain_text(_in(language, dates["valid_until"]))
    expect(row).to_contain_text(_in(language, dates["authorised_on"]))
    if language != "en":  # not translated yet: the English words, marked as English
        expect(row.locator("td[lang=en]").first).to_contain_text(COURT)
    deadline = reader.locator("li.deadline", has_text=DEADLINE)
    expect(deadline).to_contain_text(_in(language, dates["due_on"]))
    reader.locator("details:has(#orders) > summary").click()  # the orders are folded
    row.scroll_into_view_if_needed()
    journey.shot(reader, f"{language}-case-page-order")
    deadline.scroll_into_view_if_needed()
    journey.shot(reader, f"{language}-case-page-deadline")

    reader.goto(language_path(language, CASE + "fact-sheet/"))
    sheet = reader.locator("main, body").first
    expect(sheet).to_contain_text(_in(language, dates["valid_until"]))
    expect(sheet).to_contain_text(DEADLINE)
    journey.shot(reader, f"{language}-fact-sheet", full_page=True)

    _exports_carry(reader, language, dates)


def _exports_carry(reader, language: str, dates: dict) -> None:
    """case.json, case.ics and timeline.csv, fetched as a journalist's browser would."""
    base = language_path(language, CASE)
    data = json.loads(reader.request.get(base + "case.json").text())
    [order] = [o for o in data["detention_orders"]["orders"] if o["authorised_by"] == COURT]
    assert order["valid_until"] == dates["valid_until"].isoformat()
    assert order["in_force"] is True
    [due] = [d for d in data["deadlines"] if d["title"] == DEADLINE]
    assert due["due_on"] == dates["due_on"].isoformat() and due["days_left"] == 5

    calendar = reader.request.get(base + "case.ics").text()
    for day in (dates["valid_until"], dates["due_on"]):
        assert f"DTSTART;VALUE=DATE:{day:%Y%m%d}" in calendar, language
    assert DEADLINE in calendar

    rows = list(csv.DictReader(io.StringIO(reader.request.get(base + "timeline.csv").text())))
    dated = {(row["date"], row["kind"]) for row in rows}
    assert (dates["valid_until"].isoformat(), "detention_order") in dated
    assert (dates["due_on"].isoformat(), "deadline") in dated


def test_an_order_and_a_deadline_added_once_reach_every_language(journey):
    dates = _dates()
    for language in LANGUAGES:
        _warm(journey, language)
    _editor_adds_order_and_deadline(journey, dates)
    for language in LANGUAGES:
        _reader_sees(journey, language, dates)
