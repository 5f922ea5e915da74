from django.core.management.base import BaseCommand

from vigil.ratelimits.services import ratelimit_purge


class Command(BaseCommand):
    help = "Delete rate-limit counters of windows that ended more than two days ago."

    def handle(self, *args, **options):
        deleted = ratelimit_purge()
        self.stdout.write(f"Deleted {deleted} old rate counters.")
