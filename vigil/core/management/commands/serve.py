"""Serve Vigil with granian and keep scheduled publishing running beside it."""

import threading

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import close_old_connections
from django.utils.translation import gettext as _


def _scheduler(interval: int, stop: threading.Event) -> None:
    while not stop.wait(interval):
        try:
            close_old_connections()
            call_command("publish_scheduled", verbosity=0)
        except Exception as exc:  # noqa: BLE001 - a failed run must not stop the next one
            print(f"scheduled publishing failed: {exc}", flush=True)
        finally:
            close_old_connections()


def _source_checker(interval: int, stop: threading.Event) -> None:
    """Check external sources once a day, apart from publishing so neither waits."""
    from vigil.sources.services import sources_check, sources_check_due

    while not stop.wait(interval):
        try:
            close_old_connections()
            if sources_check_due():
                sources_check()
        except Exception as exc:  # noqa: BLE001 - try again at the next interval
            print(f"source check failed: {exc}", flush=True)
        finally:
            close_old_connections()


def _mailer(interval: int, stop: threading.Event) -> None:
    """Send queued email updates and purge stale unconfirmed signatures.

    Mailings live in the database, so a send cut off by a restart resumes here.
    """
    from vigil.actions.services import mailings_process, unconfirmed_purge, unconfirmed_purge_due

    while not stop.wait(interval):
        try:
            close_old_connections()
            mailings_process()
            if unconfirmed_purge_due():
                unconfirmed_purge()
        except Exception as exc:  # noqa: BLE001 - the next run resumes the send
            print(f"mail worker: {exc}", flush=True)
        finally:
            close_old_connections()


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

    def handle(self, *args, host, port, workers, threads, schedule_interval, **options):
        from granian import Granian
        from granian.constants import Interfaces

        if not 0 < port < 65536:
            raise CommandError(_("The port must be between 1 and 65535."))
        if workers < 1 or threads < 1:
            raise CommandError(_("Workers and threads must be at least 1."))
        call_command("publish_scheduled", verbosity=0)
        stop = threading.Event()
        if schedule_interval > 0:
            threading.Thread(
                target=_scheduler, args=(schedule_interval, stop), daemon=True, name="scheduler"
            ).start()
            threading.Thread(target=_mailer, args=(10, stop), daemon=True, name="mailer").start()
            threading.Thread(
                target=_source_checker, args=(3600, stop), daemon=True, name="source-checker"
            ).start()
        self.stdout.write(
            _("Serving on http://%(host)s:%(port)s/ (settings: %(settings)s); Ctrl-C stops.")
            % {"host": host, "port": port, "settings": settings.SETTINGS_MODULE}
        )
        try:
            Granian(
                "vigil.wsgi:application",
                address=host,
                port=port,
                interface=Interfaces.WSGI,
                workers=workers,
                blocking_threads=threads,
                respawn_failed_workers=True,
            ).serve()
        finally:
            stop.set()
