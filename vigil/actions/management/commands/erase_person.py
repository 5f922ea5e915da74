from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.core.validators import validate_email
from django.utils.translation import gettext as _

from vigil.actions import services


class Command(BaseCommand):
    help = _("Erase one person's signatures, subscription and email records, by address.")

    def add_arguments(self, parser):
        parser.add_argument("email", help=_("The person's email address."))

    def handle(self, *args, email, **options):
        try:
            validate_email(email.strip())
        except ValidationError:
            raise CommandError(
                _("“%(email)s” is not an email address.") % {"email": email}
            ) from None
        counts = services.person_erase(email=email, user=None)
        self.stdout.write(
            _(
                "Erased %(signatures)s signatures, %(subscribers)s subscriptions and "
                "%(deliveries)s email records."
            )
            % counts
        )
