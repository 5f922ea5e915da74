"""The demo case's legal record: charges, orders, deadlines, decisions and timeline."""

import datetime as dt

import pytest
from wagtail.models import Page

from vigil.cases.models import CasePage, TimelineEvent
from vigil.cases.services import Gap, detention_orders_analyse
from vigil.demo.services import demo_load

D = dt.date

# From the case's public record (the facts the demo data was written from).
ORDER_ENDS = [
    D(2022, 3, 8),
    D(2022, 4, 6),
    D(2022, 5, 6),
    D(2022, 6, 6),
    D(2022, 7, 6),
    D(2022, 10, 6),
]
TIMELINE_DATES = [
    D(2022, 1, 5),
    D(2022, 1, 6),
    D(2022, 1, 7),
    D(2022, 1, 8),
    D(2022, 1, 13),
    D(2022, 1, 19),
    D(2022, 3, 8),
    D(2022, 3, 14),
    D(2022, 3, 24),
    D(2022, 3, 29),
    D(2022, 4, 1),
    D(2022, 4, 6),
    D(2022, 5, 6),
    D(2022, 5, 11),
    D(2022, 5, 20),
    D(2022, 6, 5),
    D(2022, 6, 6),
    D(2022, 7, 18),
    D(2022, 8, 25),
    D(2022, 8, 29),
    D(2022, 10, 28),
    D(2022, 11, 1),
    D(2022, 11, 17),
    D(2022, 11, 18),
    D(2023, 1, 5),
    D(2023, 1, 30),
    D(2023, 2, 6),
    D(2023, 4, 4),
    D(2023, 4, 24),
    D(2023, 4, 25),
    D(2023, 5, 12),
    D(2023, 5, 15),
]
# (date, approximate?, who spoke)
STATEMENTS = [
    (D(2022, 4, 15), True, "UK Parliament"),
    (D(2022, 5, 20), False, "Human Rights Watch"),
    (D(2022, 5, 25), True, "lawyers"),
    (D(2022, 10, 28), False, "UN Working Group"),
    (D(2022, 11, 2), True, "No Peace Without Justice"),
    (D(2022, 11, 2), True, "Fight Impunity"),
    (D(2022, 11, 17), False, "Borrell"),
    (D(2022, 11, 25), True, "Kazakhstan International Bureau"),
    (D(2022, 12, 1), True, "European Parliament"),
    (D(2023, 5, 12), False, "Committee Against Torture"),
]
WGAD_URL = (
    "https://www.ohchr.org/sites/default/files/documents/issues/detention-wg/opinions/"
    "session94/2022-10-28/A-HRC-WGAD-2022-57-Kazakhstan-Advance-Edited-Version.pdf"
)


@pytest.fixture
def case(demo):
    """The demo's case, from the demo built once for the module (restored per test)."""
    return CasePage.objects.get(slug="karim-massimov", locale__language_code="en")


def counts(case):
    return {
        "charges": case.charges.count(),
        "decisions": case.decisions.count(),
        "orders": case.orders.count(),
        "deadlines": case.deadlines.count(),
        "events": case.events.count(),
        "event_links": TimelineEvent.updates.through.objects.count(),
    }


def test_case_details_are_set(case):
    assert "Карим Масимов" in case.other_spellings
    assert case.former_roles.splitlines() == [
        "Prime Minister of Kazakhstan (twice)",
        "Chairman of the National Security Committee (KNB)",
    ]
    assert case.bio and case.court and case.plea and case.place_of_detention
    assert case.trial_openness == "secret"
    assert case.verdict_on == D(2023, 4, 24)
    assert "18 years" in case.sentence
    assert len(case.health_notes.splitlines()) == 4


def test_six_detention_orders_with_their_end_dates(case):
    orders = list(case.orders.all())
    assert [o.valid_until for o in orders] == ORDER_ENDS
    first = orders[0]
    assert first.authorised_on == D(2022, 1, 8) and first.announced_on is None
    assert [o.announced_on for o in orders[1:]] == [
        D(2022, 3, 24),
        None,
        D(2022, 5, 11),
        None,
        D(2022, 8, 25),
    ]
    assert all(o.authorised_on is None for o in orders[1:])
    for order in orders:
        order.full_clean()


def test_three_charges_ending_in_conviction(case):
    charges = list(case.charges.all())
    assert len(charges) == 3
    assert {c.current_status for c in charges} == {"convicted"}
    assert [b.value["date"] for b in charges[0].history] == [D(2022, 1, 6), D(2023, 4, 24)]
    assert any(c.article == "Article 179" for c in charges)


def test_deadlines_and_the_un_decision(case):
    deadlines = list(case.deadlines.all())
    assert [(d.due_on, d.status) for d in deadlines] == [
        (D(2022, 6, 6), "missed"),
        (D(2023, 4, 25), "missed"),
    ]
    assert all(d.owed_by for d in deadlines)
    decision = case.decisions.get()
    assert decision.reference == "Opinion No. 57/2022"
    assert decision.decided_on == D(2022, 10, 28)
    assert decision.categories == "I and III"
    assert decision.url == WGAD_URL


def test_every_timeline_date_and_statement_is_an_event(case):
    events = list(case.events.all())
    dates = {e.date for e in events}
    assert set(TIMELINE_DATES) <= dates
    approx = {e.date for e in events if e.precision == "approx"}
    assert {D(2022, 4, 1), D(2022, 11, 1), D(2023, 5, 15)} <= approx
    statements = [e for e in events if e.kind == "statement"]

    def said_by(event, who):
        publishers = " ".join(s.publisher for s in event.sources.all())
        return who.lower() in f"{event.title} {publishers}".lower()

    for date, is_approx, who in STATEMENTS:
        matches = [e for e in statements if e.date == date and said_by(e, who)]
        assert len(matches) == 1, (date, who)
        assert (matches[0].precision == "approx") == is_approx
    assert all(e.sources.exists() for e in events)


def test_sources_link_only_to_known_documents(case):
    urls = {s.url for e in case.events.all() for s in e.sources.all() if s.url}
    assert urls == {
        WGAD_URL,
        "https://www.gov.kz/memleket/entities/knb/press/news/details/309530?lang=kk",
        "https://www.gov.kz/memleket/entities/knb/press/news/details/311845?lang=kk",
    }


def test_events_are_linked_to_live_updates(case):
    linked = [e for e in case.events.all() if e.updates.exists()]
    assert len(linked) >= 15
    verdict = case.events.get(kind="verdict")
    assert [u.slug for u in verdict.updates.all()] == ["convicted-and-sentenced-to-18-years"]
    assert all(u.live for e in linked for u in e.updates.all())


def test_latest_revision_holds_the_same_record_as_the_live_page(case):
    """An editor opening the page sees the record: the revision is not behind the live rows."""
    revision = case.get_latest_revision_as_object()
    for name in ("charges", "decisions", "orders", "deadlines"):
        live = sorted(getattr(case, name).values_list("pk", flat=True))
        assert sorted(item.pk for item in getattr(revision, name).all()) == live
    assert not case.has_unpublished_changes


def test_second_load_creates_nothing(case, demo):
    before = counts(case)
    pages = Page.objects.count()
    report = demo_load(var_dir=demo.var_dir)
    assert report.created == []
    assert counts(case) == before
    assert Page.objects.count() == pages
    # 32 timeline entries and 10 statements, two of which are the same event.
    assert before["orders"] == 6 and before["events"] == 40


def test_an_older_install_gets_the_record_once(case, demo):
    """A case page from before the record existed is filled in on the next load, once."""
    full = counts(case)
    case.events.all().delete()
    for name in ("charges", "decisions", "orders", "deadlines"):
        getattr(case, name).all().delete()
    CasePage.objects.filter(pk=case.pk).update(bio="", court="")
    report = demo_load(var_dir=demo.var_dir)
    assert any(line.startswith("detention order:") for line in report.created)
    case = CasePage.objects.get(pk=case.pk)
    assert counts(case) == full
    assert case.bio and case.court
    assert demo_load(var_dir=demo.var_dir).created == []
    revision = case.get_latest_revision_as_object()
    assert len(revision.orders.all()) == 6


def test_detention_orders_show_the_gaps_in_public_orders(case):
    report = detention_orders_analyse(
        orders=list(case.orders.all()),
        detained_on=case.detained_on,
        today=D(2022, 12, 1),
        verdict_on=None,
    )
    assert report.gaps == [
        Gap(D(2022, 1, 5), D(2022, 1, 7)),  # held before the first order was made
        Gap(D(2022, 3, 9), D(2022, 3, 23)),  # extension revealed only on 24 March
        Gap(D(2022, 4, 7), D(2022, 5, 10)),  # the May order was never made public
        Gap(D(2022, 6, 7), D(2022, 8, 24)),  # nor the July one
        Gap(D(2022, 10, 7), D(2022, 12, 1)),  # nothing public after 6 October
    ]
    assert report.in_force is None
    assert report.no_basis_since == D(2022, 10, 7)
    assert report.no_basis_days == 56
