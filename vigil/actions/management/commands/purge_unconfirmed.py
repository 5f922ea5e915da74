from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from vigil.actions import services


class Command(BaseCommand):
    help = _("Delete signatures and subscriptions that were never confirmed in time.")

    def handle(self, *args, **options):
        counts = services.unconfirmed_purge()
        self.stdout.write(
            _(
                "Deleted %(signatures)s unconfirmed signatures and %(subscribers)s unconfirmed "
                "subscriptions."
            )
            % counts
        )
