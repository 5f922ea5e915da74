from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from vigil.accounts.services import enrolment_link_create, enrolment_link_send, two_factor_reset


class Command(BaseCommand):
    help = (
        "Remove a user's two-factor devices (lost phone, no administrator left to do it "
        "in the admin); prints a one-time link (also emailed to them) through which they "
        "set up a new app."
    )

    def add_arguments(self, parser):
        parser.add_argument("username")

    def handle(self, *args, username: str, **options):
        User = get_user_model()
        user = User.objects.filter(**{User.USERNAME_FIELD: username}).first()
        if user is None:
            raise CommandError(_("There is no user named %(name)s.") % {"name": username})
        removed = two_factor_reset(user=user, by=None)
        self.stdout.write(
            ngettext(
                "Removed %(count)s two-factor device of %(name)s.",
                "Removed %(count)s two-factor devices of %(name)s.",
                removed,
            )
            % {"count": removed, "name": username}
        )
        url = enrolment_link_create(user=user, by=None)
        sent = enrolment_link_send(user=user, url=url)
        self.stdout.write(
            (
                _("Their one-time set-up link (also emailed to them): %(url)s")
                if sent
                else _("Their one-time set-up link (give it to them yourself): %(url)s")
            )
            % {"url": url}
        )
