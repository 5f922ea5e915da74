"""Check a static copy: its signature, then every file against the signed manifest."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from vigil.mirror import services


class Command(BaseCommand):
    help = _(
        "Check that a copy of the site is genuine: signature, missing, added or changed files."
    )

    def add_arguments(self, parser):
        parser.add_argument("directory", metavar="DIR", help=_("The copy to check."))
        parser.add_argument(
            "--public-key",
            metavar="FILE",
            help=_("The campaign's public key (default: the configured signing key's)."),
        )

    def handle(self, *args, directory, public_key=None, **options):
        root = Path(directory)
        if not root.is_dir():
            raise CommandError(_("%(path)s is not a directory.") % {"path": root})
        try:
            key = (
                Path(public_key).read_text(encoding="utf-8").strip()
                if public_key
                else services.mirror_public_key()
            )
            services.key_fingerprint(key)
        except (OSError, UnicodeDecodeError) as exc:
            raise CommandError(
                _("Cannot read the public key: %(error)s") % {"error": exc}
            ) from None
        except services.MirrorKeyError as error:
            raise CommandError(str(error)) from None
        report = services.mirror_verify(directory=root, public_key=key)
        self.stdout.write(report.signature_message)
        for label, names in (
            (_("Missing"), report.missing),
            (_("Added"), report.added),
            (_("Changed"), report.changed),
        ):
            for name in names:
                self.stdout.write(f"{label}: {name}")
        if not report.ok:
            raise CommandError(
                _(
                    "The copy does not match its signed manifest: %(missing)s missing, "
                    "%(added)s added, %(changed)s changed."
                )
                % {
                    "missing": len(report.missing),
                    "added": len(report.added),
                    "changed": len(report.changed),
                }
                if report.signature_ok
                else _("The copy's signature is not valid.")
            )
        self.stdout.write(
            ngettext(
                "The %(count)s file matches the signed manifest.",
                "All %(count)s files match the signed manifest.",
                report.checked,
            )
            % {"count": report.checked}
        )
