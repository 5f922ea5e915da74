from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from vigil.backups.services import BackupError, backup_restore


class Command(BaseCommand):
    help = (
        "Restore a backup archive made by `manage.py backup` into an empty database and "
        "media folder (--force replaces what is there)."
    )

    def add_arguments(self, parser):
        parser.add_argument("archive", type=Path, help="The archive to restore.")
        parser.add_argument(
            "--key-file",
            type=Path,
            help="The key the archive was made with, when it is not the settings' key.",
        )
        parser.add_argument(
            "--force",
            action="store_true",
            help="Replace the database and media even when they are not empty.",
        )

    def handle(self, *args, archive: Path, force: bool, key_file: Path | None, **options):
        try:
            summary = backup_restore(archive=archive, force=force, key_file=key_file)
        except BackupError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(
            _(
                "Restored the backup of %(date)s (%(engine)s, %(media)s media files). "
                "Run `manage.py migrate` if this Vigil is newer than the backup."
            )
            % {"date": summary.created_at, "engine": summary.engine, "media": summary.media_files}
        )
