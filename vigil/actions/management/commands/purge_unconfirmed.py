from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from vigil.actions import services


class Command(BaseCommand):
    help = _("Delete signatures and subscriptions that were never confirmed in time.")

    def handle(self, *args, **options):
        counts = services.unconfirmed_purge()
        # One sentence per count: each takes its own plural form.
        self.stdout.write(
            ngettext(
                "Deleted %(count)s unconfirmed signature.",
                "Deleted %(count)s unconfirmed signatures.",
                counts["signatures"],
            )
            % {"count": counts["signatures"]}
        )
        self.stdout.write(
            ngettext(
                "Deleted %(count)s unconfirmed subscription.",
                "Deleted %(count)s unconfirmed subscriptions.",
                counts["subscribers"],
            )
            % {"count": counts["subscribers"]}
        )
