import datetime as dt
from types import SimpleNamespace

import pytest
from django.core.exceptions import ValidationError

from vigil.cases.models import DetentionOrder
from vigil.cases.services import (
    Gap,
    case_milestones,
    deadline_state,
    detention_orders_analyse,
)

D = dt.date


def order(valid_until, authorised_on=None, announced_on=None, pk=None):
    return SimpleNamespace(
        pk=pk, valid_until=valid_until, authorised_on=authorised_on, announced_on=announced_on
    )


def test_order_in_force_today_and_no_gaps_when_orders_follow_each_other():
    orders = [
        order(D(2022, 3, 8), authorised_on=D(2022, 1, 5)),
        order(D(2022, 5, 8), authorised_on=D(2022, 3, 9)),
    ]
    report = detention_orders_analyse(orders=orders, detained_on=D(2022, 1, 5), today=D(2022, 4, 1))
    assert report.in_force is orders[1]
    assert report.gaps == []
    assert report.no_basis_since is None


def test_out_of_order_and_overlapping_orders_are_sorted_by_end_date():
    late = order(D(2022, 6, 1), authorised_on=D(2022, 2, 1))
    early = order(D(2022, 3, 1), authorised_on=D(2022, 1, 5))
    report = detention_orders_analyse(
        orders=[late, early], detained_on=D(2022, 1, 5), today=D(2022, 5, 1)
    )
    assert report.orders == [early, late]
    assert report.in_force is late
    assert report.gaps == []


def test_a_late_announcement_leaves_a_gap_until_it_was_public():
    """An extension revealed on 24 March left 9-23 March with no public order."""
    orders = [
        order(D(2022, 3, 8), authorised_on=D(2022, 1, 8)),
        order(D(2022, 4, 6), announced_on=D(2022, 3, 24)),
    ]
    report = detention_orders_analyse(orders=orders, detained_on=D(2022, 1, 8), today=D(2022, 4, 1))
    assert report.gaps == [Gap(D(2022, 3, 9), D(2022, 3, 23))]
    assert report.gaps[0].days == 15


def test_an_order_never_made_public_covers_nothing():
    orders = [
        order(D(2022, 4, 6), authorised_on=D(2022, 1, 8)),
        order(D(2022, 5, 6)),  # only its end date is known
        order(D(2022, 6, 6), announced_on=D(2022, 5, 11)),
    ]
    report = detention_orders_analyse(orders=orders, detained_on=D(2022, 1, 8), today=D(2022, 6, 1))
    assert report.gaps == [Gap(D(2022, 4, 7), D(2022, 5, 10))]
    assert report.in_force is orders[2]


def test_no_public_legal_basis_counts_days_since_the_last_order_ran_out():
    orders = [order(D(2022, 10, 6), authorised_on=D(2022, 8, 25))]
    report = detention_orders_analyse(
        orders=orders, detained_on=D(2022, 8, 25), today=D(2022, 10, 16)
    )
    assert report.in_force is None
    assert report.no_basis_since == D(2022, 10, 7)
    assert report.no_basis_days == 10


def test_a_verdict_ends_the_search_for_gaps():
    """After conviction the sentence is the basis: gaps stop at the verdict."""
    orders = [order(D(2022, 10, 6), authorised_on=D(2022, 8, 25))]
    report = detention_orders_analyse(
        orders=orders,
        detained_on=D(2022, 8, 25),
        today=D(2024, 1, 1),
        verdict_on=D(2023, 4, 24),
    )
    assert report.gaps == [Gap(D(2022, 10, 7), D(2023, 4, 24))]
    assert report.no_basis_since is None


def test_orders_after_the_verdict_are_watched_too():
    """Held in a new case after conviction: the stretch from the verdict to the first new
    order is the sentence's; after that, gaps between the new orders and the days since
    the last one ran out are reported, as before a verdict (they used to be ignored)."""
    orders = [
        order(D(2022, 10, 6), authorised_on=D(2022, 8, 25)),
        order(D(2024, 3, 1), authorised_on=D(2024, 1, 10)),
        order(D(2024, 6, 1), announced_on=D(2024, 3, 20)),
    ]
    report = detention_orders_analyse(
        orders=orders,
        detained_on=D(2022, 8, 25),
        today=D(2024, 6, 10),
        verdict_on=D(2023, 4, 24),
    )
    assert report.gaps == [
        Gap(D(2022, 10, 7), D(2023, 4, 24)),
        Gap(D(2024, 3, 2), D(2024, 3, 19)),
        Gap(D(2024, 6, 2), D(2024, 6, 10)),
    ]
    assert (report.no_basis_since, report.no_basis_days) == (D(2024, 6, 2), 9)
    assert report.after_verdict is True


def test_an_order_after_the_verdict_in_force_today_leaves_no_alarm():
    orders = [order(D(2024, 6, 1), authorised_on=D(2024, 1, 10))]
    report = detention_orders_analyse(
        orders=orders,
        detained_on=D(2022, 8, 25),
        today=D(2024, 5, 1),
        verdict_on=D(2023, 4, 24),
    )
    assert report.in_force is orders[0]
    assert report.gaps == [Gap(D(2022, 8, 25), D(2023, 4, 24))]
    assert report.no_basis_since is None


def test_no_orders_at_all_is_no_gap_report_of_missing_basis():
    report = detention_orders_analyse(orders=[], detained_on=D(2022, 1, 5), today=D(2022, 1, 20))
    assert report.in_force is None
    assert report.gaps == [Gap(D(2022, 1, 5), D(2022, 1, 20))]
    assert report.no_basis_since is None  # nothing ran out: no order was ever recorded


@pytest.mark.parametrize(
    ("due", "status", "days_left", "overdue"),
    [
        (D(2023, 4, 25), "open", 0, False),
        (D(2023, 4, 26), "open", 1, False),
        (D(2023, 4, 24), "open", -1, True),
        (D(2023, 4, 24), "met", -1, False),
        (D(2023, 4, 24), "missed", -1, False),
    ],
)
def test_deadline_today_tomorrow_yesterday(due, status, days_left, overdue):
    state = deadline_state(due_on=due, status=status, today=D(2023, 4, 25))
    assert (state.days_left, state.overdue) == (days_left, overdue)


def test_milestones_include_round_numbers_and_anniversaries():
    marks = case_milestones(detained_on=D(2022, 1, 5), start=D(2022, 1, 5), end=D(2025, 1, 5))
    days = [d for d, _date in marks]
    assert 100 in days and 500 in days and 1000 in days
    assert 365 in days and 730 in days
    assert (1000, D(2024, 10, 1)) in marks


def test_milestones_on_29_february_fall_on_1_march():
    marks = case_milestones(detained_on=D(2024, 2, 29), start=D(2025, 2, 1), end=D(2025, 3, 5))
    assert (366, D(2025, 3, 1)) in marks


@pytest.mark.parametrize(
    ("fields", "error_field"),
    [
        ({"authorised_on": D(2022, 3, 1), "valid_until": D(2022, 2, 1)}, "valid_until"),
        (
            {
                "authorised_on": D(2022, 3, 1),
                "announced_on": D(2022, 2, 1),
                "valid_until": D(2022, 5, 1),
            },
            "announced_on",
        ),
    ],
)
def test_editors_bad_order_dates_get_clear_errors(fields, error_field):
    with pytest.raises(ValidationError) as error:
        DetentionOrder(**fields).clean()
    assert error_field in error.value.message_dict
