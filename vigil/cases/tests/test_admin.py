"""Editors enter the legal record in the admin; impossible dates are refused with a message."""

import datetime as dt

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse
from wagtail.test.utils.form_data import inline_formset, nested_form_data

from vigil.cases.models import CasePage, DetentionOrder
from vigil.cases.tests.factories import CaseIndexPageFactory, CasePageFactory


@pytest.fixture
def editor_client(client, db):
    user = get_user_model().objects.create_superuser("editor", "editor@example.org", "x" * 16)
    client.force_login(user)
    return client


@pytest.fixture
def case(home):
    return CasePageFactory(parent=CaseIndexPageFactory(parent=home), slug="test-person")


def _form(case, *, orders=(), **fields):
    data = {
        "title": case.title,
        "slug": case.slug,
        "person_name": case.person_name,
        "honorific": "",
        "other_spellings": "",
        "former_roles": "",
        "bio": "",
        "status": case.status,
        "status_line": case.status_line,
        "detained_on": "2022-01-05",
        "released_on": "",
        "time_zone": "Asia/Almaty",
        "place_of_detention": "",
        "summary": "",
        "health_notes": "",
        "court": "",
        "plea": "",
        "trial_openness": "",
        "verdict_on": "",
        "sentence": "",
        "charges": inline_formset([]),
        "orders": inline_formset(list(orders)),
        "deadlines": inline_formset([]),
        "decisions": inline_formset([]),
        "action-publish": "publish",
    }
    data.update(fields)
    return nested_form_data(data)


def _order(**fields):
    order = {
        "authorised_on": "",
        "authorised_by": "",
        "valid_until": "",
        "announced_on": "",
        "source": "",
        "source_url": "",
        "note": "",
    }
    order.update(fields)
    return order


def test_editor_adds_a_detention_order(editor_client, case):
    url = reverse("wagtailadmin_pages:edit", args=(case.pk,))
    response = editor_client.post(
        url, _form(case, orders=[_order(authorised_on="2022-01-08", valid_until="2022-03-08")])
    )
    assert response.status_code == 302
    assert list(DetentionOrder.objects.values_list("valid_until", flat=True)) == [
        dt.date(2022, 3, 8)
    ]


@pytest.mark.parametrize(
    ("fields", "orders", "message"),
    [
        (
            {},
            [_order(authorised_on="2022-03-08", valid_until="2022-01-08")],
            "An order cannot end before the day it was authorised.",
        ),
        (
            {},
            [
                _order(
                    authorised_on="2022-03-08", announced_on="2022-03-01", valid_until="2022-04-08"
                )
            ],
            "An order cannot be announced before it was authorised.",
        ),
        (
            {"released_on": "2021-12-31"},
            [],
            "The release date cannot be before the detention date.",
        ),
        ({"time_zone": "Mars/Olympus"}, [], "is not a time zone name"),
        ({"detained_on": "5 Jan"}, [], "Enter a valid date."),
    ],
)
def test_impossible_dates_are_refused_and_nothing_changes(
    editor_client, case, fields, orders, message
):
    url = reverse("wagtailadmin_pages:edit", args=(case.pk,))
    response = editor_client.post(url, _form(case, orders=orders, **fields))
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not DetentionOrder.objects.exists()
    case = CasePage.objects.get(pk=case.pk)
    assert case.released_on is None
    assert case.time_zone == "Asia/Almaty"
