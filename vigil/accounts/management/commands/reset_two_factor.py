from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from vigil.accounts.services import two_factor_reset


class Command(BaseCommand):
    help = (
        "Remove a user's two-factor devices (lost phone, no administrator left to do it "
        "in the admin); they set up a new app at their next sign-in."
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
