"""Background work on the task engine: one scheduler however many workers, retries,
failures kept for the admin, and the tasks of a worker that died run again."""

import datetime as dt
import os
import signal
import subprocess
import sys

import pytest
from django.contrib.auth.models import Group
from django.utils import timezone
from django_tasks import TaskResultStatus, task
from django_tasks_db.models import DBTaskResult
from wagtail.users.models import UserProfile

from vigil.accounts.tests.factories import UserFactory
from vigil.actions.services.mailings import mailings_send
from vigil.core.models import Schedule
from vigil.core.registry import schedules, task_retry_register
from vigil.core.tasks import (
    _HOST,
    schedules_fire,
    task_results_prune,
    tasks_orphaned_requeue,
)
from vigil.testing.commands import ROOT
from vigil.testing.live_site import LiveSite
from vigil.testing.tasks import tasks_run

FLAKY_FAILURES = []


@task()
def flaky() -> str:
    """Fails while FLAKY_FAILURES has entries (each one is used up by a failure)."""
    if FLAKY_FAILURES:
        FLAKY_FAILURES.pop()
        raise OSError("mail server gone")
    return "sent"


def test_a_schedule_fires_once_per_period(db):
    now = timezone.now()
    names = {scheduled.name for scheduled in schedules()}
    assert {"scheduled publishing", "mail outbox", "mirror refresh"} <= names
    assert set(schedules_fire(now=now)) == names, "every schedule is due at first"
    assert schedules_fire(now=now) == [], "nothing fires twice in one period"
    later = now + dt.timedelta(seconds=61)
    fired = schedules_fire(now=later)
    assert "scheduled publishing" in fired and "accounts purge" not in fired
    assert Schedule.objects.get(name="scheduled publishing").next_run_at == later + dt.timedelta(
        seconds=60
    )


def test_a_failed_task_runs_again_after_its_delays_then_stays_failed(db, monkeypatch):
    task_retry_register(task=flaky, delays=(0, 0))
    FLAKY_FAILURES[:] = ["first", "second", "third"]
    flaky.enqueue()
    # Each failure puts it back (delay 0); the third failure has no delay left.
    ran = tasks_run()
    assert ran.count("vigil.core.tests.test_tasks.flaky") == 3
    result = DBTaskResult.objects.get(task_path="vigil.core.tests.test_tasks.flaky")
    assert result.status == TaskResultStatus.FAILED
    assert result.exception_class_path == "builtins.OSError"
    assert "mail server gone" in result.traceback
    assert len(result.worker_ids) == 3
    FLAKY_FAILURES[:] = ["once"]
    flaky.enqueue()
    tasks_run()
    second = DBTaskResult.objects.exclude(pk=result.pk).get()
    assert second.status == TaskResultStatus.SUCCESSFUL and second.return_value == "sent"


def test_the_tasks_of_a_dead_worker_run_again(db):
    dead = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    os.kill(dead.pid, signal.SIGKILL)
    dead.wait()
    alive = f"{_HOST}:{os.getpid()}:y"
    now = timezone.now()
    for holder in (f"{_HOST}:{dead.pid}:x", alive):
        result = flaky.enqueue().db_result
        DBTaskResult.objects.filter(pk=result.pk).update(
            status=TaskResultStatus.RUNNING, worker_ids=[holder], started_at=now
        )
    assert tasks_orphaned_requeue(now=now) == 1
    statuses = {
        ids[0]: status for ids, status in DBTaskResult.objects.values_list("worker_ids", "status")
    }
    assert statuses == {
        f"{_HOST}:{dead.pid}:x": TaskResultStatus.READY,
        alive: TaskResultStatus.RUNNING,
    }
    # A worker on another machine that never came back: after RUNNING_AT_MOST.
    assert tasks_orphaned_requeue(now=now + dt.timedelta(hours=7)) == 1


def test_old_results_are_pruned(db):
    old = flaky.enqueue().db_result
    DBTaskResult.objects.filter(pk=old.pk).update(
        status=TaskResultStatus.SUCCESSFUL, finished_at=timezone.now() - dt.timedelta(days=1)
    )
    flaky.enqueue()
    assert task_results_prune(now=timezone.now()) == 1
    assert DBTaskResult.objects.count() == 1


def test_two_workers_started_together_fire_each_schedule_once(site_template, tmp_path):
    """Two `manage.py worker` processes on one database: each periodic task is enqueued
    once, not once per worker."""
    site = LiveSite(site_template, tmp_path / "site", smtp_port=1)
    site.query("DELETE FROM django_tasks_database_dbtaskresult")
    site.query("DELETE FROM core_schedule")
    workers = [
        subprocess.Popen(
            [sys.executable, "manage.py", "worker", "--batch"],
            env=site.env,
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
        )
        for _ in range(2)
    ]
    outputs = [w.communicate(timeout=120)[0].decode() for w in workers]
    assert all(w.returncode == 0 for w in workers), outputs
    fired = site.query(
        "SELECT task_path, COUNT(*) FROM django_tasks_database_dbtaskresult GROUP BY 1"
    )
    assert fired and all(count == 1 for _path, count in fired), fired
    assert len(fired) == len(schedules())


def test_the_admin_lists_a_failed_task_with_its_error(admin_client):
    task_retry_register(task=flaky, delays=())
    FLAKY_FAILURES[:] = ["once"]
    flaky.enqueue()
    tasks_run()
    response = admin_client.get("/admin/reports/background-tasks/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "flaky" in html and "builtins.OSError" in html and "mail server gone" in html


def test_a_team_member_reads_the_report_in_russian_without_the_error_details(client, db):
    """A mail server's refusal may name a supporter's address: the traceback is for
    superusers; a Mail sender sees the task's name and status in words, in Russian."""
    user = UserFactory(username="mila")
    user.groups.add(Group.objects.get(name="Mail senders"))
    profile = UserProfile.get_for_user(user)
    profile.preferred_language = "ru"
    profile.save()
    client.force_login(user)
    task_retry_register(task=flaky, delays=())
    FLAKY_FAILURES[:] = ["once"]
    flaky.enqueue()
    mailings_send.enqueue()
    tasks_run()
    html = client.get("/admin/reports/background-tasks/").content.decode()
    assert "Отправка новостей подписчикам" in html and "Готово" in html, html
    assert "builtins.OSError" in html and "Не удалось" in html
    assert "mail server gone" not in html and "Traceback" not in html


def test_a_task_whose_outcome_the_database_refused_runs_again(db, monkeypatch):
    """A full or locked database while a task's result is recorded does not end the
    worker: the task goes back in the queue once the database answers again."""
    from django.db import OperationalError

    from vigil.core.management.commands.worker import worker_new

    worker = worker_new(queues=["*"], interval=0, batch=True)
    FLAKY_FAILURES[:] = []
    result = flaky.enqueue().db_result
    real = DBTaskResult.set_successful, DBTaskResult.set_failed

    def full(self, value):
        raise OperationalError("database or disk is full")

    monkeypatch.setattr(DBTaskResult, "set_successful", full)
    monkeypatch.setattr(DBTaskResult, "set_failed", full)
    with pytest.raises(OperationalError):
        worker.step()
    assert DBTaskResult.objects.get(pk=result.pk).status == TaskResultStatus.RUNNING
    monkeypatch.setattr(DBTaskResult, "set_successful", real[0])
    monkeypatch.setattr(DBTaskResult, "set_failed", real[1])
    worker._stranded_requeue()
    assert worker.step().pk == result.pk
    assert DBTaskResult.objects.get(pk=result.pk).status == TaskResultStatus.SUCCESSFUL
