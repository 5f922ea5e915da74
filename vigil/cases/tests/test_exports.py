import csv
import datetime as dt
import io
import json
from pathlib import Path

import icalendar
import jsonschema
import pytest

from vigil.cases import services
from vigil.cases.exports import csv_cell
from vigil.cases.models import Deadline, DetentionOrder, TimelineEvent, TimelineSource
from vigil.cases.tests.test_case_page import URL, _fill, case_make

D = dt.date
SCHEMA = json.loads(
    (Path(__file__).resolve().parents[1] / "schemas" / "case.schema.json").read_text()
)


@pytest.fixture
def case(home):
    return case_make(home)


@pytest.fixture
def filled(case, updates_index):
    event = _fill(case, updates_index)
    return case, event


@pytest.fixture(autouse=True)
def _case_today(monkeypatch):
    monkeypatch.setattr(services, "case_today", lambda **kwargs: D(2022, 4, 1))


# The root URLconf with the export patterns first, as vigil/urls.py should include them.


@pytest.mark.django_db
def test_json_validates_against_the_schema_and_has_the_facts(client, filled):
    """case.json is valid against the committed schema, with orders, gaps and linked updates."""
    _case, event = filled
    response = client.get(URL + "case.json")
    assert response["Content-Type"] == "application/json"
    data = response.json()
    jsonschema.validate(data, SCHEMA, format_checker=jsonschema.FormatChecker())
    assert data["detained_on"] == "2022-01-05"
    assert data["days_detained"] == 86
    assert data["person"]["other_spellings"] == ["Тест Персон", "Test Persson"]
    assert data["charges"][0]["history"] == [
        {"date": "2022-03-01", "status": "pending", "note": "Indicted"}
    ]
    orders = data["detention_orders"]
    assert [o["in_force"] for o in orders["orders"]] == [False, True]
    assert orders["gaps"] == [{"start": "2022-03-09", "end": "2022-03-23", "days": 15}]
    assert orders["no_basis_since"] is None
    assert data["deadlines"][0]["days_left"] == 10
    first = data["timeline"][0]
    assert first["id"] == event.anchor
    assert first["url"] == f"http://testserver{URL}#{event.anchor}"
    assert first["sources"][0]["publisher"] == "Reuters"
    assert first["updates"][0].startswith("http://testserver/updates/")


@pytest.mark.django_db
def test_json_of_an_empty_case_is_valid(client, case):
    """No orders, deadlines or events still gives schema-valid JSON."""
    data = client.get(URL + "case.json").json()
    jsonschema.validate(data, SCHEMA)
    assert data["timeline"] == []
    assert data["detention_orders"]["gaps"] == [
        {"start": "2022-01-05", "end": "2022-04-01", "days": 87}
    ]


@pytest.mark.django_db
def test_ical_has_all_day_events_with_unique_uids(client, filled):
    """Deadlines, order end dates and court events become all-day VEVENTs with stable UIDs."""
    case, _event = filled
    TimelineEvent.objects.create(case=case, date=D(2022, 6, 1), kind="verdict", title="Verdict")
    response = client.get(URL + "case.ics")
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    raw = response.content
    calendar = icalendar.Calendar.from_ical(raw)
    assert calendar["VERSION"] == "2.0" and calendar["PRODID"]
    events = calendar.walk("VEVENT")
    summaries = sorted(str(e["SUMMARY"]) for e in events)
    # 1 deadline, 2 order end dates, 1 court hearing, 1 verdict (detention/medical are left out)
    assert len(events) == 5
    assert "Deadline: Reply to the UN" in summaries and "Hearing" in summaries
    uids = [str(e["UID"]) for e in events]
    assert len(set(uids)) == len(uids)
    deadline = Deadline.objects.get()
    assert f"deadline-{deadline.pk}@testserver" in uids
    for event in events:
        start, end = event.decoded("DTSTART"), event.decoded("DTEND")
        assert type(start) is dt.date and end == start + dt.timedelta(days=1)
        assert "DTSTAMP" in event and "DESCRIPTION" in event
        assert str(event["URL"]).startswith(f"http://testserver{URL}#")
    assert b"DTSTART;VALUE=DATE:20220411" in raw


@pytest.mark.django_db
def test_ical_is_stamped_with_the_last_change_to_the_record(client, filled):
    """DTSTAMP says when the record was last revised (RFC 5545 without a METHOD), so the
    calendar is byte for byte the same until the case is published again or a timeline
    event is edited; it used to be the moment of each request."""
    from wagtail.log_actions import log

    case, event = filled
    case.save_revision().publish()
    case.refresh_from_db()
    first = client.get(URL + "case.ics").content
    assert client.get(URL + "case.ics").content == first
    stamps = {e.decoded("DTSTAMP") for e in icalendar.Calendar.from_ical(first).walk("VEVENT")}
    assert stamps == {case.last_published_at.replace(microsecond=0)}

    entry = log(instance=event, action="wagtail.edit")
    later = case.last_published_at.replace(microsecond=0) + dt.timedelta(hours=1)
    type(entry).objects.filter(pk=entry.pk).update(timestamp=later)
    edited = client.get(URL + "case.ics").content
    stamps = {e.decoded("DTSTAMP") for e in icalendar.Calendar.from_ical(edited).walk("VEVENT")}
    assert stamps == {later}


@pytest.mark.django_db
def test_csv_parses_and_neutralises_formulas(client, case):
    """timeline.csv is an attachment whose cells cannot run as spreadsheet formulas."""
    event = TimelineEvent.objects.create(
        case=case,
        date=D(2022, 2, 1),
        kind="statement",
        title='=HYPERLINK("x")',
        description="+1 and more",
    )
    TimelineSource.objects.create(event=event, title="Report", publisher="AP")
    response = client.get(URL + "timeline.csv")
    assert response["Content-Type"].startswith("text/csv")
    assert response["Content-Disposition"] == 'attachment; filename="test-person-timeline.csv"'
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0] == ["date", "precision", "kind", "title", "description", "sources"]
    assert rows[1] == [
        "2022-02-01",
        "day",
        "statement",
        '\'=HYPERLINK("x")',
        "'+1 and more",
        "AP Report",
    ]


@pytest.mark.parametrize("value", ["=1+1", "+1", "-1", "@SUM(A1)"])
def test_csv_cell_prefixes_formula_starts(value):
    """Cells starting with = + - @ get a leading quote; others are left alone."""
    assert csv_cell(value) == "'" + value
    assert csv_cell("Plain " + value) == "Plain " + value


@pytest.mark.django_db
def test_exports_do_not_grow_in_queries(client, case, django_assert_max_num_queries):
    """The JSON export stays at a fixed number of queries with many orders."""
    for n in range(12):
        DetentionOrder.objects.create(case=case, valid_until=D(2022, 1, 10) + dt.timedelta(n))
    with django_assert_max_num_queries(20):
        assert client.get(URL + "case.json").status_code == 200


@pytest.mark.django_db
def test_exports_of_a_translated_case_carry_the_timeline(client, filled, home):
    """The Russian case.json, case.ics and timeline.csv list the timeline, which belongs to
    the English case, as the Russian case page does (they were empty)."""
    from wagtail.models import Locale

    case, event = filled
    russian, _made = Locale.objects.get_or_create(language_code="ru")
    home.copy_for_translation(russian).save_revision().publish()
    case.get_parent().copy_for_translation(russian).save_revision().publish()
    russian_case = case.copy_for_translation(russian)
    russian_case.save_revision().publish()

    def titles(prefix):
        record = client.get(prefix + URL + "case.json").json()
        table = client.get(prefix + URL + "timeline.csv").content.decode()
        rows = list(csv.DictReader(io.StringIO(table)))
        # The CSV's order ends and deadlines are worded in each language: events only.
        events = [
            row["title"] for row in rows if row["kind"] not in ("detention_order", "deadline")
        ]
        return [e["title"] for e in record["timeline"]], events

    english_json, english_csv = titles("")
    assert event.title in english_json
    assert titles("/ru") == (english_json, english_csv)
    calendar = icalendar.Calendar.from_ical(client.get("/ru" + URL + "case.ics").content)
    english = icalendar.Calendar.from_ical(client.get(URL + "case.ics").content)
    assert len(calendar.walk("VEVENT")) == len(english.walk("VEVENT")) > 0


@pytest.mark.django_db
def test_translators_name_an_events_sources_in_their_language(client, filled, home):
    """An event translation's sources field gives each source's title and publisher in
    that language, line by line in the Sources section's order; an empty line leaves
    that source as published. The Russian page and case.json show the same."""
    from wagtail.models import Locale

    from vigil.cases.models import TimelineEventTranslation

    case, event = filled
    TimelineSource.objects.create(event=event, title="Court notice", publisher="Court")
    TimelineSource.objects.create(event=event, title="Lawyer's letter", publisher="Defence")
    russian, _made = Locale.objects.get_or_create(language_code="ru")
    home.copy_for_translation(russian).save_revision().publish()
    case.get_parent().copy_for_translation(russian).save_revision().publish()
    case.copy_for_translation(russian).save_revision().publish()
    TimelineEventTranslation.objects.create(
        event=event,
        language="ru",
        title="Задержан дома",
        sources="Сообщение об аресте | Рейтер\n\nПисьмо адвоката",
    )

    record = client.get("/ru" + URL + "case.json").json()
    (detained,) = [e for e in record["timeline"] if e["title"] == "Задержан дома"]
    assert [(s["title"], s["publisher"]) for s in detained["sources"]] == [
        ("Сообщение об аресте", "Рейтер"),
        ("Court notice", "Court"),
        ("Письмо адвоката", "Defence"),
    ]
    html = client.get("/ru" + URL).content.decode()
    assert '<a href="https://example.org/r">Сообщение об аресте</a>, Рейтер' in html
    english = client.get(URL + "case.json").json()
    (detained,) = [e for e in english["timeline"] if e["title"] == "Detained at home"]
    assert detained["sources"][0]["title"] == "Arrest report"
