from pathlib import Path

import yaml
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

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
            raise CommandError(_("No demo data folder at %(path)s.") % {"path": path})
        try:
            report = demo_load(data_dir=path)
        except (OSError, KeyError, ValueError, TypeError, yaml.YAMLError) as exc:
            raise CommandError(
                _("The demo data could not be loaded, nothing was changed: %(error)s")
                % {"error": exc}
            ) from exc
        if report.created:
            self.stdout.write(
                ngettext("Created %(count)d item:", "Created %(count)d items:", len(report.created))
                % {"count": len(report.created)}
            )
            for item in report.created:
                self.stdout.write(f"  {item}")
        else:
            self.stdout.write(_("The demo campaign is already loaded; nothing changed."))
        if report.admin_password:
            self.stdout.write(
                self.style.SUCCESS(
                    _("Admin sign-in: user 'admin', password '%(password)s' (kept in %(file)s).")
                    % {"password": report.admin_password, "file": report.admin_password_file}
                )
            )
        if report.admin_enrolment_link:
            self.stdout.write(
                _(
                    "Set up two-factor for 'admin' through this one-time link (kept in "
                    "var/admin-enrolment-link.txt until used): %(url)s"
                )
                % {"url": report.admin_enrolment_link}
            )
