"""Background work: tasks on Django's Tasks API, one scheduler, retries.

Everything that is not a page runs in `manage.py worker`, never in the web server:
- a change that needs work done enqueues a task in its own transaction (a mailing
  queued when the editor presses send, a mirror refresh when a page is published), so
  the task exists if and only if the change does (django-tasks-db keeps tasks in
  the database);
- periodic work is registered by the apps (`registry.schedule_register` in their
  AppConfig.ready()) and fired by whichever worker claims it first: a Schedule row
  moves its next run forward in one conditional UPDATE, which one worker wins and
  any other finds already moved, however many workers run (`schedules_fire`);
- a task registered with `registry.task_retry_register` that fails is run again after the
  given delays; its row keeps the last traceback, and the admin lists failures.
"""

import datetime as dt
import logging
import os
import secrets
import socket

from django.core.management import call_command
from django.db import IntegrityError, transaction
from django.utils import timezone
from django_tasks import TaskResultStatus, task
from django_tasks.base import Task
from django_tasks_db.models import DBTaskResult

from .models import Schedule
from .registry import ScheduledTask, schedules, task_retry_delays

logger = logging.getLogger("vigil.tasks")

# Finished tasks kept for the admin's report: long enough to see what failed overnight.
RESULTS_KEPT = dt.timedelta(days=7)
SUCCESSES_KEPT = dt.timedelta(hours=6)


def task_enqueue_once(task: Task, *args, **kwargs) -> None:
    """Enqueue `task` unless the same call is already waiting to run.

    For work that catches up with everything pending when it runs (the outbox, the
    mirror): a flood of signatures queues one sender, not one per signature.
    """
    waiting = DBTaskResult.objects.filter(
        task_path=task.module_path,
        status=TaskResultStatus.READY,
        args_kwargs={"args": list(args), "kwargs": kwargs},
    )
    if not waiting.exists():
        task.enqueue(*args, **kwargs)


def schedules_fire(*, now: dt.datetime) -> list[str]:
    """Enqueue every scheduled task that is due; returns the names this call fired.

    The claim and the enqueue are one transaction: a worker killed between them
    leaves the schedule unmoved, and the next worker fires it. What is due is read
    first, without a write: on SQLite every write transaction takes the database's one
    write lock, which the web server's own writes would wait for several times a second.
    """
    fired = []
    next_runs = dict(Schedule.objects.values_list("name", "next_run_at"))
    for scheduled in schedules():
        if scheduled.name not in next_runs:
            _schedule_row_ensure(scheduled, now=now)
        elif next_runs[scheduled.name] > now:
            continue
        with transaction.atomic():
            claimed = Schedule.objects.filter(name=scheduled.name, next_run_at__lte=now).update(
                next_run_at=now + dt.timedelta(seconds=scheduled.every), last_fired_at=now
            )
            if claimed:
                scheduled.task.enqueue()
                fired.append(scheduled.name)
    return fired


def _schedule_row_ensure(scheduled: ScheduledTask, *, now: dt.datetime) -> None:
    """A schedule's row, due at once the first time (a new deployment catches up)."""
    try:
        with transaction.atomic():
            Schedule.objects.create(name=scheduled.name, next_run_at=now, every=scheduled.every)
    except IntegrityError:
        pass  # another worker created it first


def task_failure_retry(*, result: DBTaskResult, now: dt.datetime) -> bool:
    """Put a failed task back in the queue after its next delay; False when it has used
    them all (it then stays failed, with its traceback, for the admin's report)."""
    delays = task_retry_delays(task_path=result.task_path)
    attempts = len(result.worker_ids)
    if not delays or attempts > len(delays):
        return False
    DBTaskResult.objects.filter(pk=result.pk, status=TaskResultStatus.FAILED).update(
        status=TaskResultStatus.READY,
        run_after=now + dt.timedelta(seconds=delays[attempts - 1]),
        finished_at=None,
    )
    logger.warning(
        "%s failed (attempt %s); it runs again in %s s",
        result.task_path,
        attempts,
        delays[attempts - 1],
    )
    return True


# A task still "running" this long after it started lost its worker on another machine.
RUNNING_AT_MOST = dt.timedelta(hours=6)
_HOST = socket.gethostname()[:40]


def worker_id_new() -> str:
    """host:pid:random, so that a worker on this machine can tell a dead one's tasks."""
    return f"{_HOST}:{os.getpid()}:{secrets.token_hex(6)}"


def _worker_dead(worker_id: str) -> bool:
    host, _colon, rest = worker_id.partition(":")
    pid = rest.partition(":")[0]
    if host != _HOST or not pid.isdigit():
        return False
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return False


def tasks_orphaned_requeue(*, now: dt.datetime) -> int:
    """Put back in the queue the tasks whose worker died while running them (killed,
    or its machine lost): the work of Vigil's tasks resumes where it stopped (a mailing
    marks each message sent), so running one again finishes it."""
    requeued = 0
    running = DBTaskResult.objects.filter(status=TaskResultStatus.RUNNING)
    for result in running.only("pk", "worker_ids", "started_at"):
        last = result.worker_ids[-1] if result.worker_ids else ""
        lost = result.started_at is not None and now - result.started_at > RUNNING_AT_MOST
        if _worker_dead(last) or lost:
            requeued += DBTaskResult.objects.filter(
                pk=result.pk, status=TaskResultStatus.RUNNING
            ).update(status=TaskResultStatus.READY, run_after=now)
            logger.warning("%s: its worker %s is gone; it runs again", result.pk, last)
    return requeued


def task_results_prune(*, now: dt.datetime) -> int:
    """Forget finished tasks: successes after SUCCESSES_KEPT, failures after RESULTS_KEPT."""
    successes, _ = DBTaskResult.objects.filter(
        status=TaskResultStatus.SUCCESSFUL, finished_at__lt=now - SUCCESSES_KEPT
    ).delete()
    failures, _ = DBTaskResult.objects.filter(
        status=TaskResultStatus.FAILED, finished_at__lt=now - RESULTS_KEPT
    ).delete()
    return successes + failures


@task()
def pages_publish_scheduled() -> None:
    """Publish the pages and revisions whose go-live time has come (Wagtail's command)."""
    call_command("publish_scheduled", verbosity=0)


@task()
def task_results_prune_task() -> int:
    return task_results_prune(now=timezone.now())
