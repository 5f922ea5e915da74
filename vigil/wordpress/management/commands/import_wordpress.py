"""Import a WordPress export (Tools → Export → All content) as updates, pages and files."""

import sys
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from vigil.wordpress import services


class Command(BaseCommand):
    help = _(
        "Import a WordPress export file (WXR): posts become updates, pages standard pages, "
        "attachments images and library documents; old addresses redirect to the new pages."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path, help=_("The export file WordPress made (.xml)."))
        parser.add_argument(
            "--uploads",
            type=Path,
            metavar="DIR",
            help=_("A copy of the site's wp-content/uploads folder, to import attachments."),
        )
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help=_("Print what would be imported and write nothing."),
        )
        parser.add_argument(
            "--locale",
            default=settings.LANGUAGE_CODE,
            metavar="LANG",
            help=_("The language tree to import into: %(codes)s.")
            % {"codes": ", ".join(code for code, _name in settings.LANGUAGES)},
        )
        parser.add_argument(
            "--existing-pages",
            choices=services.EXISTING_PAGES,
            default="skip",
            help=_(
                "What to do with a WordPress page that the site already has, with the same "
                "title at the same address: skip leaves it as it is (the default), replace "
                "publishes a new revision of it with the imported content (same page, same "
                "address, same translations), beside imports it next to it under a new address."
            ),
        )

    def handle(
        self, *args, file, uploads=None, dry_run=False, locale, existing_pages="skip", **options
    ):
        show_progress = options["verbosity"] > 0 and sys.stderr.isatty()
        try:
            report = services.wordpress_import(
                path=Path(file),
                uploads=Path(uploads) if uploads else None,
                language=locale,
                dry_run=dry_run,
                progress=self._progress if show_progress else None,
                existing_pages=existing_pages,
            )
        except services.WordPressImportError as error:
            raise CommandError(
                _("%(problem)s Nothing was imported.") % {"problem": error.message}
            ) from None
        if show_progress:
            sys.stderr.write("\n")
        if options["verbosity"] > 0:
            self._report(report)

    def _progress(self, done: int, total: int, title: str):
        width = 30
        filled = int(width * done / total) if total else width
        sys.stderr.write(
            "\r[{}{}] {}/{} {:<40}".format(
                "#" * filled, "." * (width - filled), done, total, title[:40]
            )
        )
        sys.stderr.flush()

    def _pin_line(self, report: services.ImportReport) -> str:
        """What became of the pin: the same words in a dry run, but for "would"."""
        pin = report.pin
        if pin.action == "pin" and report.dry_run:
            return _("Would pin: %(title)s") % {"title": pin.sticky}
        if pin.action in ("pin", "pinned"):
            return _("Pinned update: %(title)s") % {"title": pin.sticky}
        if pin.action == "keep":
            return _(
                "Kept the current pin: %(current)s; the sticky post %(sticky)s was not pinned."
            ) % {"current": pin.current, "sticky": pin.sticky}
        return _(
            "Not pinned: %(sticky)s. The updates list in this language is an untranslated "
            "copy of another language's list, and shows that list's pin."
        ) % {"sticky": pin.sticky}

    def _report(self, report: services.ImportReport):
        write = self.stdout.write
        sections = (
            (_("Would create") if report.dry_run else _("Created"), report.created),
            (_("Would update") if report.dry_run else _("Updated"), report.updated),
            (_("Skipped"), report.skipped),
            (_("Notes"), report.notes),
        )
        for heading, lines in sections:
            if not lines:
                continue
            write(f"{heading} ({len(lines)}):")
            for line in lines:
                label = (
                    f"  {line.kind} #{line.wp_id} {line.title}"
                    if line.wp_id
                    else (f"  {line.kind} {line.title}")
                )
                write(f"{label}: {line.reason}" if line.reason else label)
        write(
            _(
                "%(created)s created, %(updated)s updated, %(skipped)s skipped; "
                "%(comments)s comments not imported (Vigil has no comments); "
                "%(redirects)s redirects added."
            )
            % {
                "created": len(report.created),
                "updated": len(report.updated),
                "skipped": len(report.skipped),
                "comments": report.comments_ignored,
                "redirects": report.redirects_created,
            }
        )
        if report.pin is not None:
            write(self._pin_line(report))
        if report.dry_run:
            write(_("Dry run: nothing was written."))
