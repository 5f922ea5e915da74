"""Facts are shared by the languages: an order or deadline added once, in English, is on
the Russian and Kazakh case pages, fact sheets and exports at once (issue 17; they used
to reach them only after someone synchronised and republished each translation)."""

import csv
import datetime as dt
import io

import icalendar
import pytest
from django.contrib.auth import get_user_model
from django.utils import translation
from django.utils.formats import date_format
from wagtail.models import Locale

from vigil.cases import services
from vigil.cases.models import CasePage, Deadline, DetentionOrder
from vigil.cases.tests.test_case_page import URL, case_make

D = dt.date
LANGUAGES = ("en", "ru", "kk")
PREFIX = {"en": "", "ru": "/ru", "kk": "/kk"}
COURT = {"ru": "Неназванный суд", "kk": "Аты аталмаған сот"}


@pytest.fixture
def case(home, monkeypatch):
    """An English case with one order, translated into Russian and Kazakh (the order's
    court too); its clock reads 1 April 2022."""
    monkeypatch.setattr(services, "case_today", lambda **kwargs: D(2022, 4, 1))
    case = case_make(home)
    DetentionOrder.objects.create(
        case=case,
        authorised_on=D(2022, 1, 5),
        valid_until=D(2022, 3, 8),
        authorised_by="Unnamed court",
        source="KNB",
    )
    case.save_revision().publish()
    for code in ("ru", "kk"):
        locale, _made = Locale.objects.get_or_create(language_code=code)
        home.copy_for_translation(locale).save_revision().publish()
        case.get_parent().copy_for_translation(locale).save_revision().publish()
        copy = case.copy_for_translation(locale)
        copy.orders.update(authorised_by=COURT[code])
        CasePage.objects.get(pk=copy.pk).save_revision().publish()
    return CasePage.objects.get(pk=case.pk)


def _english_editor_adds(case):
    """As the admin's edit form does: the latest revision, two new rows, published."""
    page = case.get_latest_revision_as_object()
    page.orders.add(
        DetentionOrder(
            announced_on=D(2022, 3, 24),
            valid_until=D(2022, 5, 6),
            authorised_by="Specialised court",
            source="Court press office",
        )
    )
    page.deadlines.add(
        Deadline(title="Reply to the UN", owed_by="Government", due_on=D(2022, 4, 11))
    )
    page.save_revision().publish()
    return (
        DetentionOrder.objects.get(case=case, valid_until=D(2022, 5, 6)),
        Deadline.objects.get(case=case),
    )


@pytest.mark.django_db
@pytest.mark.parametrize("language", LANGUAGES)
def test_an_order_and_deadline_added_in_english_are_on_every_case_page(client, case, language):
    order, deadline = _english_editor_adds(case)
    html = client.get(PREFIX[language] + URL).content.decode()
    assert f'<tr id="order-{order.pk}" class="orders__in-force">' in html
    assert 'datetime="2022-05-06"' in html
    assert f'id="deadline-{deadline.pk}"' in html
    # Not yet translated: the English words, marked as English.
    marked = ' lang="en"' if language != "en" else ""
    assert f"<td{marked}>Specialised court</td>" in html
    assert f"<span{marked}><strong>Reply to the UN</strong> (Government)</span>" in html
    # The first order keeps its translated court.
    assert f"<td>{COURT.get(language, 'Unnamed court')}</td>" in html
    assert '<ul class="gaps">' in html  # 9 to 23 March, in every language's words


@pytest.mark.django_db
@pytest.mark.parametrize("language", LANGUAGES)
def test_the_fact_sheet_counts_the_new_order_and_lists_the_deadline(client, case, language):
    _english_editor_adds(case)
    html = client.get(PREFIX[language] + URL + "fact-sheet/").content.decode()
    with translation.override(language):
        runs_until = date_format(D(2022, 5, 6), "DATE_FORMAT")
        due = date_format(D(2022, 4, 11), "DATE_FORMAT")
    assert runs_until in html
    assert f"Reply to the UN</span>: {due}" in html


@pytest.mark.django_db
@pytest.mark.parametrize("language", LANGUAGES)
def test_the_exports_carry_the_new_order_and_deadline(client, case, language):
    order, deadline = _english_editor_adds(case)
    base = PREFIX[language] + URL
    data = client.get(base + "case.json").json()
    orders = data["detention_orders"]["orders"]
    assert [o["valid_until"] for o in orders] == ["2022-03-08", "2022-05-06"]
    assert orders[1]["in_force"] is True
    assert orders[1]["authorised_by"] == "Specialised court"
    assert orders[0]["authorised_by"] == COURT.get(language, "Unnamed court")
    assert [(d["title"], d["due_on"]) for d in data["deadlines"]] == [
        ("Reply to the UN", "2022-04-11")
    ]

    calendar = icalendar.Calendar.from_ical(client.get(base + "case.ics").content)
    uids = {str(event["UID"]) for event in calendar.walk("VEVENT")}
    assert {f"order-{order.pk}@testserver", f"deadline-{deadline.pk}@testserver"} <= uids

    rows = list(csv.DictReader(io.StringIO(client.get(base + "timeline.csv").content.decode())))
    dated = {(row["date"], row["kind"]) for row in rows}
    assert {("2022-05-06", "detention_order"), ("2022-04-11", "deadline")} <= dated


@pytest.mark.django_db
def test_the_case_watch_panel_shows_the_new_deadline(client, case):
    _english_editor_adds(case)
    user = get_user_model().objects.create_superuser("ed", "ed@example.org", "x" * 16)
    client.force_login(user)
    content = client.get("/admin/").content.decode()
    assert "Due in 10 days: Reply to the UN." in content


@pytest.mark.django_db
@pytest.mark.parametrize("language", ("ru", "kk"))
def test_release_set_in_english_stops_every_languages_count(client, case, language):
    """Dates and status are facts too: the translation shows the original's."""
    page = case.get_latest_revision_as_object()
    page.released_on = D(2022, 3, 31)
    page.status = "released"
    page.save_revision().publish()
    data = client.get(PREFIX[language] + URL + "case.json").json()
    assert (data["released_on"], data["status"], data["days_detained"]) == (
        "2022-03-31",
        "released",
        85,
    )
    html = client.get(PREFIX[language] + URL).content.decode()
    assert 'data-released-on="2022-03-31"' in html


@pytest.mark.django_db
def test_a_translation_cannot_override_the_facts():
    """wagtail-localize keeps dates and status in sync, with no 'override' for them."""
    from wagtail_localize.fields import get_translatable_fields

    fields = {f.field_name: f for f in get_translatable_fields(CasePage)}
    for name in CasePage.FACT_FIELDS:
        assert fields[name].is_synchronized(CasePage()) and not fields[name].overridable
    for relation in ("charges", "decisions", "orders", "deadlines"):
        assert fields[relation].is_translated(CasePage())


@pytest.mark.django_db
def test_the_migration_pairs_existing_translations_by_position(case):
    """Demo and editors' translations made before the record was translatable: the n-th
    row of a translation takes the key of the n-th row of the original, and the case's
    revisions get the keys too (a publish from one would otherwise give new keys)."""
    import importlib
    import uuid

    from django.apps import apps

    keys = importlib.import_module("vigil.cases.migrations.0007_record_facts_keys")
    for row in DetentionOrder.objects.all():  # as before: unrelated keys
        DetentionOrder.objects.filter(pk=row.pk).update(translation_key=uuid.uuid4())
    revision = case.latest_revision
    for row in revision.content["orders"]:
        del row["translation_key"], row["locale"]
    revision.save(update_fields=["content"])

    keys.forwards(apps, None)

    [english] = DetentionOrder.objects.filter(case=case)
    copies = DetentionOrder.objects.exclude(case=case)
    assert {c.translation_key for c in copies} == {english.translation_key}
    assert sorted(c.locale.language_code for c in copies) == ["kk", "ru"]
    revision.refresh_from_db()
    assert revision.content["orders"][0]["translation_key"] == str(english.translation_key)
    assert revision.content["orders"][0]["locale"] == english.locale_id


@pytest.mark.django_db
def test_the_russian_cases_index_takes_each_cases_facts_in_its_own_query(client, case):
    """The list of cases counts each one's days from the English facts, with no query
    per case."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from vigil.cases.tests.factories import CasePageFactory

    page = case.get_latest_revision_as_object()
    page.released_on = D(2022, 3, 31)
    page.save_revision().publish()

    def count():
        client.get("/ru/cases/")
        with CaptureQueriesContext(connection) as queries:
            html = client.get("/ru/cases/").content.decode()
        return len(queries), html

    before, html = count()
    assert 'data-released-on="2022-03-31"' in html
    second = CasePageFactory(parent=case.get_parent(), title="Second", slug="second")
    second.copy_for_translation(Locale.objects.get(language_code="ru")).save_revision().publish()
    after, html = count()
    assert html.count('class="day-count"') == 2
    assert after == before
