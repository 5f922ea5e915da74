from pathlib import Path

import yaml
from django.core.management.base import BaseCommand, CommandError

from vigil.demo.services import DATA_DIR, demo_load


class Command(BaseCommand):
    help = "Create the demo campaign (the Karim Massimov case). Creates only what is missing."

    def add_arguments(self, parser):
        parser.add_argument(
            "--data-dir", default=str(DATA_DIR), help="Folder with the demo's YAML files."
        )

    def handle(self, *args, data_dir, **options):
        path = Path(data_dir)
        if not path.is_dir():
            raise CommandError(f"No demo data folder at {path}.")
        try:
            report = demo_load(data_dir=path)
        except (OSError, KeyError, ValueError, TypeError, yaml.YAMLError) as exc:
            raise CommandError(
                f"The demo data could not be loaded, nothing was changed: {exc}"
            ) from exc
        if report.created:
            self.stdout.write(f"Created {len(report.created)} items:")
            for item in report.created:
                self.stdout.write(f"  {item}")
        else:
            self.stdout.write("The demo campaign is already loaded; nothing changed.")
        if report.admin_password:
            self.stdout.write(
                self.style.SUCCESS(
                    f"Admin sign-in: user 'admin', password '{report.admin_password}' "
                    f"(kept in {report.admin_password_file})."
                )
            )
