import datetime as dt

import pytest
from django.contrib.auth import get_user_model

from vigil.cases.models import Deadline, DetentionOrder
from vigil.cases.services import cases_watch_list
from vigil.cases.tests.factories import CaseIndexPageFactory, CasePageFactory

TODAY = dt.date(2022, 10, 16)


@pytest.fixture
def case(home):
    case = CasePageFactory(
        parent=CaseIndexPageFactory(parent=home), detained_on=dt.date(2022, 1, 5)
    )
    DetentionOrder.objects.create(
        case=case, authorised_on=dt.date(2022, 8, 25), valid_until=dt.date(2022, 10, 6)
    )
    Deadline.objects.create(case=case, title="Reply to the UN", due_on=dt.date(2022, 10, 20))
    Deadline.objects.create(case=case, title="Old answer", due_on=dt.date(2022, 6, 6))
    Deadline.objects.create(case=case, title="Answered", due_on=dt.date(2022, 6, 1), status="met")
    Deadline.objects.create(case=case, title="Far away", due_on=dt.date(2023, 6, 1))
    return case


def test_watch_list_flags_what_is_due_missed_and_expired(case):
    """Orders that ran out, deadlines due in 14 days or missed, milestones ahead."""
    [item] = cases_watch_list(today=TODAY)
    assert item["no_basis_since"] == dt.date(2022, 10, 7)
    assert item["no_basis_days"] == 10
    assert [d.title for d, _s in item["deadlines_due"]] == ["Reply to the UN"]
    assert [d.title for d, _s in item["deadlines_missed"]] == ["Old answer"]
    assert item["milestones"] == []  # nothing round between 16 and 30 October


def test_watch_list_sees_an_order_ending_soon_and_the_100th_day(case):
    soon = DetentionOrder.objects.create(
        case=case, authorised_on=dt.date(2022, 3, 1), valid_until=dt.date(2022, 4, 20)
    )
    [item] = cases_watch_list(today=dt.date(2022, 4, 10))
    assert item["milestones"] == [(100, dt.date(2022, 4, 15))]
    assert item["orders_ending"] == [soon]
    assert item["no_basis_since"] is None


def test_watch_list_sees_orders_after_the_verdict(case):
    """Convicted, then held on a new order that ran out: watched (it was not)."""
    case.verdict_on = dt.date(2022, 12, 1)
    case.save()
    DetentionOrder.objects.create(
        case=case, authorised_on=dt.date(2023, 1, 10), valid_until=dt.date(2023, 3, 1)
    )
    ending = DetentionOrder.objects.create(
        case=case, authorised_on=dt.date(2023, 2, 20), valid_until=dt.date(2023, 3, 20)
    )
    [item] = cases_watch_list(today=dt.date(2023, 3, 10))
    assert item["orders_ending"] == [ending]
    assert item["no_basis_since"] is None
    [item] = cases_watch_list(today=dt.date(2023, 3, 25))
    assert (item["no_basis_since"], item["no_basis_days"]) == (dt.date(2023, 3, 21), 5)
    assert item["no_basis_after_verdict"] is True


def test_dashboard_shows_an_order_run_out_after_the_verdict(client, case):
    case.verdict_on = dt.date(2022, 6, 1)
    case.save()
    DetentionOrder.objects.create(
        case=case, authorised_on=dt.date(2022, 9, 1), valid_until=dt.date(2022, 10, 10)
    )
    user = get_user_model().objects.create_superuser("ed", "ed@example.org", "x" * 16)
    client.force_login(user)
    content = client.get("/admin/").content.decode()
    assert "After the verdict: no public detention order since" in content


def test_released_people_are_not_watched(case):
    case.released_on = dt.date(2022, 9, 1)
    case.save()
    assert cases_watch_list(today=TODAY) == []


def test_dashboard_shows_the_panel(client, case):
    user = get_user_model().objects.create_superuser("ed", "ed@example.org", "x" * 16)
    client.force_login(user)
    content = client.get("/admin/").content.decode()
    assert "Case watch" in content
    assert "No public detention order since" in content
    assert "Missed: Old answer" in content
