import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError

from vigil.cases.models import validate_time_zone
from vigil.cases.services import case_days_detained, case_today, case_utc_offset
from vigil.cases.tests.factories import CaseIndexPageFactory, CasePageFactory

UTC = dt.UTC


def test_day_of_detention_is_day_zero():
    now = dt.datetime(2022, 1, 5, 12, tzinfo=UTC)
    assert case_days_detained(detained_on=dt.date(2022, 1, 5), time_zone="UTC", now=now) == 0


def test_count_turns_at_midnight_where_the_person_is_held():
    """At 19:30 UTC on 5 January it is already 6 January in Almaty (UTC+5 since 2024, +6 before)."""
    now = dt.datetime(2022, 1, 5, 19, 30, tzinfo=UTC)
    detained = dt.date(2022, 1, 5)
    assert case_days_detained(detained_on=detained, time_zone="Asia/Almaty", now=now) == 1
    assert case_days_detained(detained_on=detained, time_zone="America/New_York", now=now) == 0
    assert case_today(time_zone="Asia/Almaty", now=now) == dt.date(2022, 1, 6)


def test_leap_years_are_counted():
    now = dt.datetime(2024, 3, 1, 12, tzinfo=UTC)
    assert case_days_detained(detained_on=dt.date(2024, 2, 28), time_zone="UTC", now=now) == 2
    assert case_days_detained(detained_on=dt.date(2023, 2, 28), time_zone="UTC", now=now) == 367


def test_release_date_stops_the_count():
    now = dt.datetime(2030, 1, 1, tzinfo=UTC)
    days = case_days_detained(
        detained_on=dt.date(2022, 1, 5),
        released_on=dt.date(2022, 4, 6),
        time_zone="Asia/Almaty",
        now=now,
    )
    assert days == 91


def test_demo_case_figures_match_the_record():
    """Day 86 on 1 April 2022 for a detention on 5 January 2022."""
    now = dt.datetime(2022, 4, 1, 12, tzinfo=ZoneInfo("Asia/Almaty"))
    assert (
        case_days_detained(detained_on=dt.date(2022, 1, 5), time_zone="Asia/Almaty", now=now) == 86
    )


def test_future_detention_date_never_gives_a_negative_count():
    now = dt.datetime(2022, 1, 1, tzinfo=UTC)
    assert case_days_detained(detained_on=dt.date(2022, 1, 5), time_zone="UTC", now=now) == 0


@pytest.mark.parametrize("bad", ["Mars/Olympus", "", "Asia/Almaty; DROP TABLE"])
def test_unknown_time_zones_are_refused(bad):
    with pytest.raises(ValidationError):
        validate_time_zone(bad)


def test_release_before_detention_is_a_form_error(home):
    case = CasePageFactory.build(
        title="X",
        slug="x",
        person_name="X",
        detained_on=dt.date(2022, 1, 5),
        released_on=dt.date(2021, 12, 31),
    )
    case.path, case.depth = "000100010001", 3
    with pytest.raises(ValidationError) as error:
        case.full_clean(exclude=["path", "depth", "content_type"])
    assert "released_on" in error.value.message_dict


def test_case_pages_render_the_day_count(client, home):
    index = CaseIndexPageFactory(parent=home)
    case = CasePageFactory(parent=index, title="Test Person", person_name="Test Person")
    for url in ("/cases/", case.url):
        content = client.get(url).content.decode()
        assert "Test Person" in content
        assert 'data-detained-on="2022-01-05"' in content
        assert 'data-time-zone="Asia/Almaty"' in content


def test_utc_offset_is_the_time_zones_on_that_moment():
    """day-count.js tells the date from it away from midnight: summer time counts."""
    summer = dt.datetime(2024, 7, 1, 12, tzinfo=dt.UTC)
    winter = dt.datetime(2024, 1, 1, 12, tzinfo=dt.UTC)
    assert case_utc_offset(time_zone="Europe/London", now=summer) == 60
    assert case_utc_offset(time_zone="Europe/London", now=winter) == 0
    assert case_utc_offset(time_zone="America/New_York", now=winter) == -300
    assert case_utc_offset(time_zone="Asia/Kolkata", now=winter) == 330
