"""The case page reads at a glance (issue 22): the box after the title, the contents, and
the long sections folded in <details> that a `kind/` view renders open."""

import datetime as dt
import re

import pytest
from wagtail.models import Locale

from vigil.cases import services
from vigil.cases.models import CasePage, Deadline, InternationalDecision
from vigil.cases.templatetags.case_tags import first_sentence
from vigil.cases.tests.test_case_page import URL, _fill, case_make

D = dt.date


@pytest.fixture
def case(home, monkeypatch):
    """A case whose clock reads 1 April 2022."""
    monkeypatch.setattr(services, "case_today", lambda **kwargs: D(2022, 4, 1))
    return case_make(home)


def _part(html: str, pattern: str) -> str:
    found = re.search(pattern, html, re.DOTALL)
    assert found, pattern
    return found.group(0)


def _glance(html: str) -> str:
    return _part(html, r'<section class="case-glance".*?</section>')


def _terms(part: str) -> list[str]:
    return [term.strip() for term in re.findall(r"<dt>(.*?)</dt>", part, re.DOTALL)]


@pytest.mark.django_db
def test_glance_box_has_status_days_sentence_court_finding_and_next_deadline(
    client, case, updates_index
):
    case.verdict_on, case.sentence = D(2022, 3, 20), "18 years in prison"
    case.save()
    _fill(case, updates_index)
    InternationalDecision.objects.create(
        case=case,
        body="UN Human Rights Committee",
        decided_on=D(2021, 5, 1),
        finding="An older finding.",
    )
    Deadline.objects.create(case=case, title="Met already", due_on=D(2022, 3, 1), status="met")
    later = Deadline.objects.create(case=case, title="Later reply", due_on=D(2022, 6, 1))
    html = client.get(URL).content.decode()
    glance = _glance(html)

    assert _terms(glance) == [
        "Status",
        "Days detained",
        "Sentence",
        "Court",
        "What international bodies found",
        "Next deadline",
    ]
    # It comes right after the title, before the contents and the sections.
    assert html.index("</header>") < html.index('class="case-glance"') < html.index('id="person"')
    assert 'class="day-count" data-detained-on="2022-01-05"' in glance  # day-count.js keeps it
    assert 'day-count__number">86</strong>' in glance
    assert "18 years in prison" in glance and "(verdict of 20 March 2022)" in glance
    assert "Specialised inter-district court" in glance
    # The latest decision, its first sentence, a link to the decisions on the page.
    assert '<a href="#decisions">UN Working Group on Arbitrary Detention, Opinion No. 57/2022' in (
        glance
    )
    assert "1 November 2022" in glance and "The detention is arbitrary." in glance
    assert "older finding" not in glance
    # The first deadline still open, with its countdown; not the met one, not the later one.
    assert "Reply to the UN" in glance and "in 10 days" in glance
    assert "Met already" not in glance and later.title not in glance


@pytest.mark.django_db
def test_glance_box_leaves_out_what_the_record_lacks(client, case):
    case.court = ""
    case.save()
    Deadline.objects.create(case=case, title="Missed reply", due_on=D(2022, 3, 1), status="missed")
    glance = _glance(client.get(URL).content.decode())
    assert _terms(glance) == ["Status", "Days detained"]


@pytest.mark.django_db
def test_an_overdue_open_deadline_is_the_next_one_and_says_so(client, case):
    Deadline.objects.create(case=case, title="Owed reply", due_on=D(2022, 3, 29))
    Deadline.objects.create(case=case, title="Later reply", due_on=D(2022, 6, 1))
    glance = _glance(client.get(URL).content.decode())
    assert "Owed reply" in glance and "Later reply" not in glance
    assert "<strong>Overdue:</strong> 3 days overdue" in glance
    assert "deadline--overdue" in glance


@pytest.mark.django_db
def test_facts_below_leave_out_what_the_box_says(client, case):
    """The page's facts do not repeat the box; the fact sheet, without the box, keeps them."""
    case.sentence = "18 years in prison"
    case.save()
    html = client.get(URL).content.decode()
    facts = _part(html, r'<section id="facts".*?</section>')
    assert _terms(facts) == ["Detained on", "Place of detention", "Plea", "Trial", "Health"]
    sheet = client.get(URL + "fact-sheet/").content.decode()
    for term in ("Status", "Days detained", "Court", "Sentence"):
        assert f"<dt>{term}</dt>" in sheet, term


@pytest.mark.django_db
def test_glance_box_in_another_language_shows_the_translated_record(client, case, home):
    """Russian: the decision's words from the translation, the facts from the original."""
    InternationalDecision.objects.create(
        case=case,
        body="UN Working Group on Arbitrary Detention",
        decided_on=D(2022, 11, 1),
        finding="The detention is arbitrary. It must end.",
    )
    case.save_revision().publish()
    locale, _made = Locale.objects.get_or_create(language_code="ru")
    home.copy_for_translation(locale).save_revision().publish()
    case.get_parent().copy_for_translation(locale).save_revision().publish()
    copy = case.copy_for_translation(locale)
    copy.decisions.update(
        body="Рабочая группа ООН",
        finding="Задержание является произвольным и незаконным. Оно должно закончиться.",
    )
    CasePage.objects.get(pk=copy.pk).save_revision().publish()
    glance = _glance(client.get("/ru" + URL).content.decode())
    assert (
        "Рабочая группа ООН" in glance
        and "Задержание является произвольным и незаконным." in glance
    )
    assert "закончиться" not in glance
    assert "1 ноября 2022" in glance
    assert 'data-detained-on="2022-01-05"' in glance


@pytest.mark.django_db
def test_contents_link_the_sections_the_page_has(client, case, updates_index):
    bare = _part(client.get(URL).content.decode(), r'<nav class="case-contents".*?</nav>')
    assert re.findall(r'href="#([\w-]+)"', bare) == [
        "person",
        "facts",
        "orders",
        "timeline",
        "downloads",
    ]
    _fill(case, updates_index)
    html = client.get(URL).content.decode()
    contents = _part(html, r'<nav class="case-contents".*?</nav>')
    targets = re.findall(r'href="#([\w-]+)"', contents)
    assert targets == [
        "person",
        "facts",
        "charges",
        "decisions",
        "orders",
        "deadlines",
        "timeline",
        "downloads",
    ]
    for target in targets:  # each once on the page, in the order of the contents
        assert html.count(f'id="{target}"') == 1, target
    positions = [html.index(f'id="{target}"') for target in targets]
    assert positions == sorted(positions)


def _fold(html: str, target: str) -> str:
    """The <details> that holds the element with id `target`."""
    return _part(
        html, rf'<details class="fold"[^>]*>(?:(?!</details>).)*id="{target}".*?</details>'
    )


@pytest.mark.django_db
def test_long_sections_are_folded_with_a_summary_of_what_is_inside(client, case, updates_index):
    _fill(case, updates_index)
    html = client.get(URL).content.decode()
    for target, summary in [
        ("decisions", "Decisions of international bodies: </span>1 decision"),
        ("orders", "Detention orders: </span>2 orders and a chart"),
        ("timeline", "Timeline: </span>3 events"),
    ]:
        fold = _fold(html, target)
        assert fold.startswith('<details class="fold">'), target  # closed
        assert re.search(r"<summary>.*?</summary>", fold).group(0).endswith(f"{summary}</summary>")
    # Readable without JavaScript: the whole record is in the page, only folded.
    assert "Detained at home" in _fold(html, "timeline")
    assert "No public order from 9 March 2022" in _fold(html, "orders")
    # Before the first fold: the box, the contents, the person, facts, charges.
    assert html.index('id="charges"') < html.index('<details class="fold"')
    assert '<script src="/static/cases/case-folds.js" defer></script>' in html


@pytest.mark.django_db
def test_kind_view_renders_the_timeline_open(client, case, updates_index):
    _fill(case, updates_index)
    html = client.get(URL + "kind/court/").content.decode()
    timeline = _fold(html, "timeline")
    assert timeline.startswith('<details class="fold" open>')
    assert "Timeline: </span>1 event</summary>" in timeline
    assert _fold(html, "orders").startswith('<details class="fold">')  # only the timeline


@pytest.mark.parametrize(
    ("text", "first"),
    [
        (
            "The detention is arbitrary and unlawful. It must end.",
            "The detention is arbitrary and unlawful.",
        ),
        ("One sentence only, with no end", "One sentence only, with no end"),
        # Too early to be a sentence's end: an abbreviation.
        ("Dr. Massimov is held. He is ill.", "Dr. Massimov is held. He is ill."),
        (
            "Задержание является произвольным и незаконным. Его следует прекратить.",
            "Задержание является произвольным и незаконным.",
        ),
        (
            "The body found (Opinion No. 57/2022) the detention arbitrary! «Free him»",
            "The body found (Opinion No. 57/2022) the detention arbitrary!",
        ),
    ],
)
def test_first_sentence(text, first):
    assert first_sentence(text) == first
