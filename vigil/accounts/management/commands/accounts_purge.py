from django.core.management.base import BaseCommand
from django.utils import timezone
from django.utils.translation import gettext as _

from vigil.accounts.retention import accounts_purge


class Command(BaseCommand):
    help = (
        "Remove editors' addresses from old audit-log entries, expired sign-in failure "
        "counts and old enrolment links (see README, Security). `serve` runs it hourly."
    )

    def handle(self, *args, **options):
        report = accounts_purge(now=timezone.now())
        if options["verbosity"] < 1:
            return
        self.stdout.write(
            _(
                "Addresses removed from %(audit)s audit entries; %(axes)s sign-in failure "
                "rows and %(links)s enrolment links deleted."
            )
            % {
                "audit": report.audit_addresses,
                "axes": report.axes_rows,
                "links": report.enrolment_links,
            }
        )
