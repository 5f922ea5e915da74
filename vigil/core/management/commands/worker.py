"""Run Vigil's background work: `manage.py worker` (as many as you like, on any node)."""

import logging
import threading
import time

from django.core.management.base import BaseCommand, CommandError
from django.db import close_old_connections
from django.db.utils import DatabaseError, OperationalError
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tasks import DEFAULT_TASK_BACKEND_ALIAS, TaskResultStatus
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult
from django_tasks_db.utils import exclusive_transaction, is_locked_database_exception

from vigil.core.tasks import (
    schedules_fire,
    task_failure_retry,
    tasks_orphaned_requeue,
    worker_id_new,
)

logger = logging.getLogger("vigil.tasks")
# settings.TASKS names the same queues: quick work (forms' mail, publishing, purges), the
# update mailings (long for a long list), and network-bound work (source checks that wait
# for dead sites, mirror exports).
QUEUES = ("default", "mailings", "slow")
# How often a worker looks for tasks whose worker died (at its start, then every so often).
ORPHAN_SWEEP_SECONDS = 30
# Seconds a loop waits while the database is unavailable.
PAUSE = 5
_SWEPT = object()


class VigilWorker(Worker):
    """django-tasks-db's worker, which puts failed tasks back in the queue while they
    have retries left; the one that `schedules` also fires due schedules between tasks
    and requeues the tasks of dead workers."""

    schedules = True
    stranded: set

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        # Tasks this loop claimed whose outcome the database refused to record.
        self.stranded = set()

    # The other queues' loops of this process, stopped with this one (Ctrl-C).
    shutdown_also: list["VigilWorker"] = []

    def shutdown(self, signum, frame) -> None:
        for other in self.shutdown_also:
            other.running = False
        super().shutdown(signum, frame)

    def run(self) -> None:
        last_sweep = float("-inf")
        while self.running:
            try:
                result = self._round(sweep=time.monotonic() - last_sweep > ORPHAN_SWEEP_SECONDS)
            except DatabaseError:
                # Locked, full, restarting: the work waits in the database, and so does
                # this loop; it never ends for it (the server's own 503s say the same).
                logger.exception("Worker: database unavailable; trying again in %s s", PAUSE)
                close_old_connections()
                time.sleep(PAUSE)
                continue
            if result is _SWEPT:
                last_sweep = time.monotonic()
                continue
            if result is None:
                if self.batch:
                    return
                # Ctrl-C while idle ends the process from the signal handler.
                time.sleep(self.interval)

    def _round(self, *, sweep: bool):
        close_old_connections()
        self._stranded_requeue()
        if self.schedules and sweep:
            tasks_orphaned_requeue(now=timezone.now())
            return _SWEPT
        if self.schedules:
            self._schedules_fire()
        result = self.step()
        close_old_connections()
        return result

    def step(self) -> DBTaskResult | None:
        """Claim the next ready task and run it; None when there was none."""
        result = self._task_claim()
        if result is not None:
            try:
                self.run_task(result)
                self._retry_if_failed(result)
            except DatabaseError:
                # Its outcome could not be recorded: run it again once the database is back.
                self.stranded.add(result.pk)
                raise
        return result

    def _stranded_requeue(self) -> None:
        for pk in list(self.stranded):
            DBTaskResult.objects.filter(pk=pk, status=TaskResultStatus.RUNNING).update(
                status=TaskResultStatus.READY, run_after=timezone.now()
            )
            self.stranded.discard(pk)

    def _schedules_fire(self) -> None:
        try:
            schedules_fire(now=timezone.now())
        except OperationalError as error:
            if not is_locked_database_exception(error):
                raise

    def _task_claim(self) -> DBTaskResult | None:
        """The next ready task, claimed in one transaction (`FOR UPDATE SKIP LOCKED` on
        PostgreSQL, an exclusive transaction on SQLite): no two workers get it."""
        tasks = DBTaskResult.objects.ready().filter(backend_name=self.backend_name)
        if not self.process_all_queues:
            tasks = tasks.filter(queue_name__in=self.queue_names)
        # A read first: an idle worker takes no write lock (see schedules_fire).
        if not tasks.exists():
            return None
        try:
            with exclusive_transaction(tasks.db):
                result = tasks.get_locked()
                if result is not None:
                    result.claim(self.worker_id)
                return result
        except OperationalError as error:
            if is_locked_database_exception(error):
                return None
            raise

    def _retry_if_failed(self, result: DBTaskResult) -> None:
        result.refresh_from_db(fields=["status", "worker_ids"])
        if result.status == TaskResultStatus.FAILED:
            logger.error("Task %s failed:\n%s", result.task_path, result.traceback)
            task_failure_retry(result=result, now=timezone.now())


def worker_new(*, queues: list[str], interval: float, batch: bool) -> VigilWorker:
    """A worker loop on `queues` (tests use it to run tasks in their own process)."""
    return VigilWorker(
        queue_names=queues,
        interval=interval,
        batch=batch,
        backend_name=DEFAULT_TASK_BACKEND_ALIAS,
        startup_delay=False,
        max_tasks=None,
        worker_id=worker_id_new(),
        excluded_queue_names=[],
    )


class Command(BaseCommand):
    help = _(
        "Run background work: scheduled publishing, mail, the mirror, source checks and "
        "purges. Start one or more beside the web servers; Ctrl-C stops it."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--interval",
            type=float,
            default=1.0,
            help=_("Seconds to wait when there is nothing to do."),
        )
        parser.add_argument(
            "--batch",
            action="store_true",
            help=_("Run what is due now, then stop (for tests and cron)."),
        )
        parser.add_argument(
            "--queues",
            default=",".join(QUEUES),
            help=_(
                "The queues to work on, separated by commas: default (forms' mail, "
                "publishing, purges), mailings (email updates) and slow (source checks, "
                "mirror exports)."
            ),
        )

    def handle(self, *args, interval: float, batch: bool, queues: str, **options):
        if not 0 < interval <= 60:
            raise CommandError(_("The interval must be more than 0 and at most 60 seconds."))
        names = [name.strip() for name in queues.split(",") if name.strip()]
        if not names or set(names) - set(QUEUES):
            raise CommandError(_("Choose the queues among: default, mailings, slow."))
        # One loop per queue, each in its own thread: a source check that waits minutes
        # for dead sites never holds back a confirmation email or an update's mailing.
        # The first loop (in this thread, which receives Ctrl-C) also fires the schedules.
        workers = [worker_new(queues=[name], interval=interval, batch=batch) for name in names]
        for other in workers[1:]:
            other.schedules = False
        workers[0].configure_signals()
        workers[0].shutdown_also = workers[1:]
        self.stdout.write(_("Worker started; Ctrl-C stops it."))
        threads = [threading.Thread(target=w.run, daemon=True) for w in workers[1:]]
        for thread in threads:
            thread.start()
        workers[0].run()
        for thread in threads:
            thread.join()
