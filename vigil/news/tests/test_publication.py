"""A scheduled update is dated when it goes live, unless its editor dated it later."""

import datetime as dt
import time

import pytest
from django.core.management import call_command
from django.utils import timezone

from vigil.news.models import UpdatePage
from vigil.news.tests.factories import UpdatePageFactory

pytestmark = pytest.mark.django_db


def _scheduled(updates_index, *, date, go_live_in: float) -> UpdatePage:
    update = UpdatePageFactory(parent=updates_index, date=date, live=False)
    update.go_live_at = timezone.now() + dt.timedelta(seconds=go_live_in)
    update.save_revision().publish()
    return update


def test_a_scheduled_update_goes_out_dated_at_its_go_live_time(updates_index):
    written = timezone.now() - dt.timedelta(days=2)
    update = _scheduled(updates_index, date=written, go_live_in=1)
    assert not UpdatePage.objects.get(pk=update.pk).live
    time.sleep(1.1)
    call_command("publish_scheduled")
    update = UpdatePage.objects.get(pk=update.pk)
    assert update.live
    # Revisions keep times to the millisecond.
    assert abs(update.date - update.go_live_at) < dt.timedelta(milliseconds=1)
    # The editor who opens it next sees the date readers see.
    assert update.get_latest_revision_as_object().date == update.date


def test_a_date_the_editor_set_after_the_go_live_time_is_kept(updates_index):
    later = timezone.now() + dt.timedelta(days=3)
    update = _scheduled(updates_index, date=later, go_live_in=1)
    time.sleep(1.1)
    call_command("publish_scheduled")
    assert abs(UpdatePage.objects.get(pk=update.pk).date - later) < dt.timedelta(milliseconds=1)


def test_a_published_update_rescheduled_keeps_its_date(updates_index):
    first = timezone.now() - dt.timedelta(days=5)
    update = UpdatePageFactory(parent=updates_index, date=first, live=False)
    update.save_revision().publish()
    update = UpdatePage.objects.get(pk=update.pk)
    update.go_live_at = timezone.now() + dt.timedelta(seconds=1)
    update.save_revision().publish()
    time.sleep(1.1)
    call_command("publish_scheduled")
    assert abs(UpdatePage.objects.get(pk=update.pk).date - first) < dt.timedelta(milliseconds=1)


def test_an_update_published_at_once_keeps_its_date(updates_index):
    written = timezone.now() - dt.timedelta(hours=3)
    update = UpdatePageFactory(parent=updates_index, date=written, live=False)
    update.save_revision().publish()
    assert UpdatePage.objects.get(pk=update.pk).date == written
