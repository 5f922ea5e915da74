"""Write the public site as a signed static copy: `manage.py export_site DIR`."""

import os
import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from vigil.mirror import services

from .publish_mirror import TARGET_HELP, publish_and_report, targets_parse


class Command(BaseCommand):
    help = _(
        "Export every public page in every language, with feeds, sitemaps, documents and "
        "assets, into DIR as a static copy with a signed manifest."
    )

    def add_arguments(self, parser):
        parser.add_argument("directory", metavar="DIR", help=_("Where the copy is written."))
        parser.add_argument(
            "--base-url",
            default="",
            help=_("The address the copy will be published at (for feeds, sitemaps, robots.txt)."),
        )
        parser.add_argument(
            "--incremental",
            action="store_true",
            help=_("Only rewrite what changed since the last export into DIR."),
        )
        parser.add_argument(
            "--jobs",
            type=int,
            default=os.cpu_count() or 1,
            help=_("Processes rendering pages at once (default: one per CPU core)."),
        )
        parser.add_argument(
            "--publish",
            action="append",
            default=[],
            metavar="TARGET",
            help=_("After the export, send the copy here (repeat for more): %(targets)s")
            % {"targets": TARGET_HELP},
        )

    def handle(self, *args, directory, base_url, incremental, jobs, publish, **options):
        if jobs < 1:
            raise CommandError(_("--jobs must be at least 1."))
        # Targets are checked first: a mistyped one is told in a second, not after a full export.
        targets = targets_parse(specs=publish, directory=Path(directory))
        self.verbosity = options["verbosity"]
        show = options["verbosity"] > 0
        bar = show and sys.stdout.isatty()

        def progress(done: int, total: int, url: str) -> None:
            width = 30
            filled = int(width * done / total) if total else width
            self.stdout.write(
                "\r[{}{}] {}/{} {:<50.50}".format(
                    "#" * filled, "." * (width - filled), done, total, url
                ),
                ending="",
            )
            self.stdout.flush()

        try:
            summary = services.site_export(
                directory=Path(directory),
                base_url=base_url,
                incremental=incremental,
                jobs=jobs,
                progress=progress if bar else None,
            )
        except (services.ExportError, services.MirrorKeyError) as error:
            raise CommandError(str(error)) from None
        if bar:
            self.stdout.write("")
        if show:
            self._summary_show(summary)
        if summary.failed:
            # Whoever runs the export (a mirror host's cron job) must not publish a copy
            # that lacks pages or sitemaps: a non-zero exit, each address named.
            raise CommandError(
                ngettext(
                    "The copy is incomplete: %(count)d address did not render: %(urls)s",
                    "The copy is incomplete: %(count)d addresses did not render: %(urls)s",
                    len(summary.failed),
                )
                % {
                    "count": len(summary.failed),
                    "urls": "; ".join(
                        _("%(url)s answered %(status)s") % {"url": url, "status": status}
                        for url, status in summary.failed
                    ),
                }
            )
        if targets:
            publish_and_report(command=self, directory=Path(directory), targets=targets)

    def _summary_show(self, summary) -> None:
        for url, status, found_on in summary.broken:
            self.stderr.write(
                _("Not exported: %(url)s answered %(status)s (linked from %(page)s)")
                % {"url": url, "status": status, "page": found_on or "-"}
            )
        kind = _("Incremental export") if summary.incremental else _("Full export")
        self.stdout.write(
            _(
                "%(kind)s: %(files)s files (%(mb).1f MB) in %(seconds).1f s; %(rendered)s URLs "
                "rendered (%(rate).0f/s), %(written)s files written, %(removed)s removed."
            )
            % {
                "kind": kind,
                "files": summary.files,
                "mb": summary.bytes / 1e6,
                "seconds": summary.seconds,
                "rendered": summary.rendered,
                "rate": summary.rendered / summary.seconds if summary.seconds else 0,
                "written": len(summary.written),
                "removed": len(summary.removed),
            }
        )
