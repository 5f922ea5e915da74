"""Keep this node's page-cache folder in step with every other node's changes."""

import os
import signal

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from vigil.pagecache.follow import page_cache_follow


class Command(BaseCommand):
    help = _(
        "Delete this node's cached pages that a change on any node made stale, and those "
        "past their expiry. `serve` starts it; run it by hand only beside a server started "
        "with --no-follow."
    )

    def handle(self, *args, **options):
        stopping = []
        parent = os.getppid()
        signal.signal(signal.SIGTERM, lambda *_args: stopping.append(True))
        signal.signal(signal.SIGINT, lambda *_args: stopping.append(True))
        # Started by `serve`: ends with it, even if it was killed with kill -9.
        page_cache_follow(stop=lambda: bool(stopping) or os.getppid() != parent)
