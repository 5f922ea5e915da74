"""Grow the demo campaign to a given number of updates, for benchmarks."""

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from vigil.demo.services import demo_scale


class Command(BaseCommand):
    help = _("Add generated updates until the demo has N of them (benchmarks only).")

    def add_arguments(self, parser):
        parser.add_argument("updates", type=int, metavar="N", help=_("How many updates in all."))

    def handle(self, *args, updates, **options):
        if updates < 0:
            raise CommandError(_("N must be zero or more."))
        try:
            added = demo_scale(updates=updates)
        except ValueError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(
            ngettext("%(count)s update added.", "%(count)s updates added.", added)
            % {"count": added}
        )
