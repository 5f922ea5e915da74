"""Serve Vigil with granian and keep scheduled publishing running beside it."""

import importlib
import logging
import os
import threading

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connections
from django.utils.translation import gettext as _

import vigil
from vigil.core.registry import periodic_jobs, startup_tasks

logger = logging.getLogger("vigil.serve")


# granian forks a new worker from this process whenever one dies. A fork taken while a
# job below has the database open copies that connection, and SQLite's lock state, into
# the new worker half-held (SQLite forbids using a connection across fork()): the worker
# then answered "database is locked" for a while. The jobs hold this lock while their
# connections are open, and fork() waits for it. Re-entrant: a job may fork its own
# helpers (the mirror export does).
_database_open = threading.RLock()
os.register_at_fork(
    before=_database_open.acquire,
    after_in_parent=_database_open.release,
    after_in_child=_database_open.release,
)


def _connections_close() -> None:
    """Close this thread's database connections (a job's, after each run)."""
    connections.close_all()


def _repeat(job, interval: float, stop: threading.Event, name: str) -> None:
    """Run `job` every `interval` seconds until `stop` is set.

    A failed run is logged with its traceback for the operator and never stops the
    next one (a locked database or a dead mail server must not end the thread for
    good). Each run opens its database connections fresh, as a request would, and
    closes them after, even where connections are otherwise kept (CONN_MAX_AGE).
    """
    while not stop.wait(interval):
        with _database_open:
            try:
                job()
            except Exception:  # noqa: BLE001 - try again at the next interval
                logger.exception("%s failed; it runs again in %s s", name, interval)
            finally:
                try:
                    _connections_close()
                except Exception:  # noqa: BLE001 - a broken connection is dropped all the same
                    logger.exception("%s: closing its database connection failed", name)


def _publish_scheduled() -> None:
    call_command("publish_scheduled", verbosity=0)


def _preload_for_workers() -> None:
    """Load the whole application here, once, so the forked workers share its memory.

    Workers get the loaded modules, URL patterns and templates by fork; freezing the
    garbage collector keeps its passes from writing to (and so copying) those pages.
    """
    import gc
    from pathlib import Path

    from django.template import TemplateDoesNotExist
    from django.template.loader import get_template
    from django.urls import get_resolver

    _front_module()  # the application granian's workers serve

    get_resolver().url_patterns  # noqa: B018 - imports every view module
    # Vigil's own templates, compiled into the cached loader (not the admin's: editors
    # are few, and their templates would cost memory in every worker).
    package = Path(vigil.__file__).parent
    for folder in package.glob("**/templates"):
        for template in folder.glob("**/*.html"):
            try:
                get_template(str(template.relative_to(folder)))
            except TemplateDoesNotExist:
                continue  # shadowed by another app's template of the same name
    gc.collect()
    gc.freeze()


def _front_module():
    """The module of the application Django's settings name (WSGI_APPLICATION), whose
    `front` granian serves: core starts the server and knows nothing of what sits above
    it (vigil/wsgi.py wraps Django in the page cache)."""
    return importlib.import_module(settings.WSGI_APPLICATION.rpartition(".")[0])


class Command(BaseCommand):
    help = "Serve the site with granian (production-grade WSGI) and run scheduled publishing."

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--workers", type=int, default=1)
        parser.add_argument("--threads", type=int, default=4, help="Threads per worker.")
        parser.add_argument(
            "--schedule-interval",
            type=int,
            default=60,
            help="Seconds between scheduled-publishing runs (0 turns it off).",
        )
        parser.add_argument(
            "--mail-interval",
            type=int,
            default=10,
            help="Seconds between the mail worker's rounds (queued mailings, purges).",
        )

    def handle(
        self, *args, host, port, workers, threads, schedule_interval, mail_interval, **options
    ):
        from granian import Granian
        from granian.constants import Interfaces

        if not 0 < port < 65536:
            raise CommandError(_("The port must be between 1 and 65535."))
        if workers < 1 or threads < 1:
            raise CommandError(_("Workers and threads must be at least 1."))
        if mail_interval < 1:
            raise CommandError(_("The mail interval must be at least 1 second."))
        call_command("publish_scheduled", verbosity=0)
        # What the apps need done first (registered in their AppConfig.ready(): the
        # database files made private, the page cache cleared of pages older code made).
        for task in startup_tasks():
            task()
        # granian forks its workers from this process: none may inherit an open
        # database connection (SQLite's docs forbid using one across fork()), and an
        # idle one kept here would stop anything that needs the database alone.
        connections.close_all()
        _preload_for_workers()
        stop = threading.Event()
        if schedule_interval > 0:
            options = {"mail_interval": mail_interval}
            jobs = [(_publish_scheduled, schedule_interval, "scheduled publishing")]
            # The apps' own jobs (mail, source checks, the mirror, purges), registered in
            # their AppConfig.ready() (vigil/core/registry.py).
            for registered in periodic_jobs():
                interval = options.get(registered.interval_option, registered.interval)
                jobs.append((registered.run, interval, registered.name))
            for job, interval, name in jobs:
                threading.Thread(
                    target=_repeat, args=(job, interval, stop, name), daemon=True, name=name
                ).start()
        self.stdout.write(
            _("Serving on http://%(host)s:%(port)s/ (settings: %(settings)s); Ctrl-C stops.")
            % {"host": host, "port": port, "settings": settings.SETTINGS_MODULE}
        )
        # RSGI, not WSGI: vigil.wsgi.front reads each request's body on the worker's
        # event loop and only then hands the request to Django in one of `threads`
        # threads (vigil/core/server.py). Under granian's WSGI a thread waited for the
        # body with no limit, and four slow senders took every thread.
        module = _front_module()
        module.front.threads = threads
        try:
            Granian(
                f"{module.__name__}:front",
                address=host,
                port=port,
                interface=Interfaces.RSGI,
                workers=workers,
                websockets=False,
                respawn_failed_workers=True,
            ).serve()
        finally:
            stop.set()
