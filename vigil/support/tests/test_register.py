"""The support register page: counts, path filters, 404s, query counts and the admin form."""

import datetime as dt

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.template import Context, Template
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from wagtail.test.utils.form_data import nested_form_data

from vigil.news.tests.factories import UpdatePageFactory
from vigil.support import services
from vigil.support.models import Statement

from .factories import StatementFactory


@pytest.fixture
def statements(case):
    return [
        StatementFactory(
            case=case,
            who="UN Working Group on Arbitrary Detention",
            supporter_type="un-body",
            country="",
            date=dt.date(2022, 6, 1),
            demands=["release", "investigation"],
        ),
        StatementFactory(
            case=case,
            who="Government of Norway",
            supporter_type="government",
            date=dt.date(2023, 2, 1),
            precision="month",
            demands=["release", "fair-trial"],
        ),
        StatementFactory(
            case=case,
            who="Lawyers for Lawyers",
            supporter_type="lawyers",
            country="Netherlands",
            date=dt.date(2023, 5, 15),
            precision="approx",
            demands=["lawyer"],
        ),
        StatementFactory(
            case=case,
            who="Amnesty International",
            supporter_type="ngo",
            date=dt.date(2023, 9, 9),
            demands=["release", "medical-care"],
        ),
    ]


def _names(response) -> list[str]:
    return [s.who for s in response.context["statements"]]


def test_counts_by_type_and_demand(statements):
    """Each type and each demand is counted once per statement, in the order of the choices."""
    counts = services.statement_counts(statements=statements)
    assert counts["total"] == 4
    assert [(v, n) for v, _label, n in counts["by_type"]] == [
        ("un-body", 1),
        ("government", 1),
        ("ngo", 1),
        ("lawyers", 1),
    ]
    assert [(v, n) for v, _label, n in counts["by_demand"]] == [
        ("release", 3),
        ("fair-trial", 1),
        ("investigation", 1),
        ("medical-care", 1),
        ("lawyer", 1),
    ]


def test_register_lists_every_statement_in_date_order(client, register, statements):
    """The register shows all statements, oldest first, with dates as precise as their source."""
    response = client.get(register.url)
    assert response.status_code == 200
    assert _names(response) == [s.who for s in statements]
    html = response.content.decode()
    assert "February 2023" in html  # month precision
    assert "about 15 May 2023" in html  # approximate
    assert 'href="https://example.org/statement"' in html
    assert 'role="img"' in html
    assert f'href="{register.url}type/ngo/"' in html
    assert f'href="{register.url}demand/release/"' in html
    assert f'href="{register.url}year/2023/"' in html


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("type/government/", ["Government of Norway"]),
        (
            "demand/release/",
            [
                "UN Working Group on Arbitrary Detention",
                "Government of Norway",
                "Amnesty International",
            ],
        ),
        ("year/2022/", ["UN Working Group on Arbitrary Detention"]),
        ("type/ngo/demand/release/year/2023/", ["Amnesty International"]),
    ],
)
def test_each_filter_narrows_the_list(client, register, statements, path, expected):
    """A filter path shows only the matching statements; the counts stay those of the case."""
    response = client.get(register.url + path)
    assert response.status_code == 200
    assert _names(response) == expected
    assert response.context["counts"]["total"] == 4


def test_combined_filters_with_no_match_say_so(client, register, statements):
    """Valid filters that match nothing give a page saying so, not an error."""
    response = client.get(register.url + "type/lawyers/demand/release/")
    assert response.status_code == 200
    assert _names(response) == []
    assert "No statements match these filters." in response.content.decode()


@pytest.mark.parametrize(
    ("path", "message"),
    [
        ("type/astronauts/", "There is no such type of supporter."),
        ("demand/pizza/", "There is no such demand."),
        ("year/1999/", "There are no statements from that year."),
        ("year/abcd/", "There is no such year."),
        ("year/20233/", "There is no such year."),
        ("type/ngo/type/ngo/", "Each filter can be used only once."),
        ("colour/red/", None),
    ],
)
def test_unknown_filters_are_404(client, register, statements, path, message):
    """Unknown types, demands and years are 'not found' with a clear message, never a 500."""
    response = client.get(register.url + path)
    assert response.status_code == 404
    if message:
        assert message in response.content.decode()


def test_linked_updates_and_documents_are_shown(client, register, statements, updates_index):
    """A statement links the live updates that report it."""
    update = UpdatePageFactory(parent=updates_index, title="Norway speaks up")
    statements[1].updates.add(update)
    statements[1].save()
    html = client.get(register.url).content.decode()
    assert "Norway speaks up" in html
    assert f'href="{update.url}"' in html


def test_support_counts_tag(client, register, statements):
    """The one-line summary counts statements calling for release, by type, and links the page."""
    html = Template("{% load support_tags %}{% support_counts case %}").render(
        Context({"case": register.case})
    )
    assert "3 statements calling for release" in html
    assert "from 1 UN body, 1 government and 1 NGO" in html
    assert f'href="{register.url}"' in html


def test_support_counts_tag_is_empty_without_a_register(case, statements):
    """Without a published register page there is nothing to link to, so nothing is shown."""
    html = Template("{% load support_tags %}{% support_counts case %}").render(
        Context({"case": case})
    )
    assert html.strip() == ""


def _add_statements(case, count):
    updates = []
    for n in range(count):
        statement = StatementFactory(
            case=case,
            date=dt.date(2022 + n % 3, 1 + n % 12, 1),
            supporter_type=["ngo", "government", "un-body"][n % 3],
            demands=["release", "medical-care"],
        )
        if updates:
            statement.updates.add(*updates)
            statement.save()
    return statement


@pytest.mark.parametrize("path", ["", "type/ngo/", "demand/release/", "year/2022/"])
def test_query_count_is_pinned_and_does_not_grow(client, register, updates_index, path):
    """The same number of queries with 3 statements as with 15, and never more than 15."""
    update = UpdatePageFactory(parent=updates_index)
    _add_statements(register.case, 3)
    for statement in Statement.objects.all():
        statement.updates.add(update)
        statement.save()
    url = register.url + path
    client.get(url)
    with CaptureQueriesContext(connection) as small:
        assert client.get(url).status_code == 200
    _add_statements(register.case, 12)
    for statement in Statement.objects.all():
        statement.updates.add(update)
        statement.save()
    client.get(url)
    with CaptureQueriesContext(connection) as large:
        assert client.get(url).status_code == 200
    assert len(small) == len(large), f"{len(small)} queries with 3, {len(large)} with 15"
    assert len(large) == EXPECTED_QUERIES


# With the featured case every page shows at its top (issue 22): one query.
EXPECTED_QUERIES = 10


# -- admin ---------------------------------------------------------------------


@pytest.fixture
def editor_client(client, db):
    user = get_user_model().objects.create_superuser("editor", "editor@example.org", "x" * 16)
    client.force_login(user)
    return client


def _statement_form(case, **overrides):
    data = {
        "case": case.pk,
        "who": "Parliamentary Assembly of the Council of Europe",
        "supporter_type": "intergovernmental",
        "country": "",
        "date": "2023-04-20",
        "precision": "day",
        "demands": ["release", "medical-care"],
        "quote": "He must be released now.",
        "source_url": "https://example.org/pace",
        "source_document": "",
        "language": "en",
    }
    data.update(overrides)
    demands = data.pop("demands")
    # Checkboxes post one value each under the same name, which nested_form_data cannot express.
    return {**nested_form_data(data), "demands": demands}


def test_editor_adds_a_statement_with_two_demands(editor_client, case):
    """A superuser creates a statement through the snippet form, ticking two demands."""
    url = reverse("wagtailsnippets_support_statement:add")
    response = editor_client.post(url, _statement_form(case))
    assert response.status_code == 302, response.context["form"].errors
    statement = Statement.objects.get()
    assert statement.demands == ["release", "medical-care"]
    assert statement.supporter_type == "intergovernmental"
    edit = editor_client.get(reverse("wagtailsnippets_support_statement:edit", args=[statement.pk]))
    assert edit.status_code == 200
    html = edit.content.decode()
    assert 'value="release"' in html and html.count(" checked") == 2


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"date": "not a date"}, "Enter a valid date"),
        ({"date": "2999-01-01"}, "The statement cannot be dated in the future."),
        ({"demands": []}, "This field is required"),
        ({"demands": ["release", "pizza"]}, "Select a valid choice"),
    ],
)
def test_bad_statement_forms_store_nothing(editor_client, case, overrides, message):
    """A clear message on the form, and no statement is stored."""
    url = reverse("wagtailsnippets_support_statement:add")
    response = editor_client.post(url, _statement_form(case, **overrides))
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Statement.objects.exists()
