from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from vigil.backups.services import BackupError, backup_create


class Command(BaseCommand):
    help = (
        "Back up the database and media files into one archive in DIR, encrypted and "
        "authenticated with the backup key (BACKUP_KEY_FILE or BACKUP_KEY)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "directory", type=Path, help="Private folder (chmod 700) to write the archive into."
        )
        parser.add_argument(
            "--key-file", type=Path, help="Use the key in this file instead of the settings'."
        )

    def handle(self, *args, directory: Path, key_file: Path | None, **options):
        try:
            summary = backup_create(directory=directory, key_file=key_file)
        except BackupError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(
            _(
                "Backup written: %(path)s (%(files)s files, %(size)s bytes, encrypted with "
                "the key whose id is %(key_id)s)."
            )
            % {
                "path": summary.path,
                "files": summary.files,
                "size": summary.size,
                "key_id": summary.key_id,
            }
        )
