"""Show, or create, the key that signs static copies of the site."""

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from vigil.mirror import services


class Command(BaseCommand):
    help = _("Print the mirror signing key's public half and fingerprint; --create makes one.")

    def add_arguments(self, parser):
        parser.add_argument(
            "--create", action="store_true", help=_("Create the key when there is none yet.")
        )

    def handle(self, *args, create=False, **options):
        path = services.mirror_key_path()
        try:
            if create and not path.exists():
                services.mirror_key_create(path=path)
                self.stdout.write(_("Created a new signing key at %(path)s.") % {"path": path})
            public = services.mirror_public_key(path=path)
        except services.MirrorKeyError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(public)
        self.stdout.write(services.key_fingerprint(public))
