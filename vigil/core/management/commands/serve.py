"""Serve Vigil with granian: `manage.py serve` serves; `manage.py worker` does the rest.

No background work runs in this process (vigil/core/tasks.py): scheduled publishing,
mail, the mirror and purges are tasks the workers run, so any number of web processes
on any number of nodes can serve one database."""

import importlib
import logging
import subprocess
import sys

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connections
from django.utils.translation import gettext as _

import vigil
from vigil.core.registry import startup_tasks

logger = logging.getLogger("vigil.serve")


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


def _follower_start() -> subprocess.Popen | None:
    """This node's page-cache follower (vigil/pagecache/follow.py), in a process of its
    own: the web process runs no background thread. Core names it by its command: the
    page cache sits above core (ARCHITECTURE.md)."""
    if not getattr(settings, "PAGE_CACHE_DIR", ""):
        return None
    return subprocess.Popen([sys.executable, sys.argv[0], "page_cache_follow"])


def _front_module():
    """The module of the application Django's settings name (WSGI_APPLICATION), whose
    `front` granian serves: core starts the server and knows nothing of what sits above
    it (vigil/wsgi.py wraps Django in the page cache)."""
    return importlib.import_module(settings.WSGI_APPLICATION.rpartition(".")[0])


class Command(BaseCommand):
    help = "Serve the site with granian (production-grade WSGI); `manage.py worker` runs the rest."

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--workers", type=int, default=1)
        parser.add_argument("--threads", type=int, default=4, help="Threads per worker.")
        parser.add_argument(
            "--no-follow",
            action="store_true",
            help="Do not start this node's page-cache follower (manage.py page_cache_follow).",
        )

    def handle(self, *args, host, port, workers, threads, no_follow, **options):
        from granian import Granian
        from granian.constants import Interfaces

        if not 0 < port < 65536:
            raise CommandError(_("The port must be between 1 and 65535."))
        if workers < 1 or threads < 1:
            raise CommandError(_("Workers and threads must be at least 1."))
        # What the apps need done first (registered in their AppConfig.ready(): the
        # database files made private, the page cache cleared of pages older code made).
        for task in startup_tasks():
            task()
        # granian forks its workers from this process: none may inherit an open
        # database connection (SQLite's docs forbid using one across fork()), and an
        # idle one kept here would stop anything that needs the database alone.
        connections.close_all()
        _preload_for_workers()
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
        follower = None if no_follow else _follower_start()
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
            if follower is not None:
                follower.terminate()
                follower.wait(timeout=10)
