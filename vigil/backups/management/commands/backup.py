from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from vigil.backups.services import BackupError, backup_create


class Command(BaseCommand):
    help = "Back up the database and media files into one .tar.gz archive in DIR."

    def add_arguments(self, parser):
        parser.add_argument("directory", type=Path, help="Folder to write the archive into.")

    def handle(self, *args, directory: Path, **options):
        try:
            summary = backup_create(directory=directory)
        except BackupError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(
            _("Backup written: %(path)s (%(files)s files, %(size)s bytes).")
            % {"path": summary.path, "files": summary.files, "size": summary.size}
        )
