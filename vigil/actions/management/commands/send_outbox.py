import time

from django.core.management.base import BaseCommand

from vigil.actions.services import outbox_purge, outbox_send


class Command(BaseCommand):
    help = (
        "Send the mail the public forms queued (confirmations, password resets). "
        "`manage.py serve` does it every second; this is for other servers (make dev)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--loop", action="store_true", help="Keep sending every second until stopped."
        )

    def handle(self, *args, loop, **options):
        while True:
            sent = outbox_send()
            outbox_purge()
            if not loop:
                self.stdout.write(f"Sent {sent} queued emails.")
                return
            time.sleep(1)
