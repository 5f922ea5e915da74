"""Check that the external sources the campaign cites can still be read."""

import math

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from vigil.sources import services
from vigil.sources.models import FAILING_STATUSES


class Command(BaseCommand):
    help = gettext_lazy(
        "Request every cited source address (or only those given with --url) and store whether "
        "it still answers; editors see the failing ones under Reports."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--concurrency",
            type=int,
            default=8,
            help=gettext_lazy("How many addresses to request at the same time (1 to 64)."),
        )
        parser.add_argument(
            "--timeout",
            type=float,
            default=10.0,
            help=gettext_lazy("Seconds to wait for each answer (more than 0, at most 120)."),
        )
        parser.add_argument(
            "--url",
            action="append",
            dest="urls",
            metavar="URL",
            help=gettext_lazy("Check only this http(s) address; repeat for several."),
        )

    def handle(self, *args, concurrency, timeout, urls, verbosity, **options):
        if not 1 <= concurrency <= services.MAX_CONCURRENCY:
            raise CommandError(
                _("--concurrency must be between 1 and %(max)d, not %(value)d.")
                % {"max": services.MAX_CONCURRENCY, "value": concurrency}
            )
        if not math.isfinite(timeout) or not 0 < timeout <= services.MAX_TIMEOUT:
            raise CommandError(
                _("--timeout must be more than 0 and at most %(max)d seconds, not %(value)s.")
                % {"max": services.MAX_TIMEOUT, "value": timeout}
            )
        for url in urls or []:
            if not services.source_url_is_web(url=url):
                raise CommandError(
                    _("--url %(url)s is not an http:// or https:// address.") % {"url": url}
                )
            if len(url) > 1000:
                raise CommandError(
                    _("--url %(url)s… is longer than 1000 characters.") % {"url": url[:60]}
                )

        def progress(done, total, result):
            if verbosity < 1:
                return
            line = _("[%(done)d/%(total)d] %(status)s %(code)s %(url)s") % {
                "done": done,
                "total": total,
                "status": result.status,
                "code": result.http_status or "-",
                "url": result.url,
            }
            if result.final_url:
                line += " -> " + result.final_url
            if result.status in FAILING_STATUSES:
                self.stdout.write(self.style.WARNING(line))
            else:
                self.stdout.write(line)

        summary = services.sources_check(
            urls=[url.strip() for url in urls] if urls else None,
            concurrency=concurrency,
            timeout=timeout,
            progress=progress,
        )
        if verbosity >= 1:
            self.stdout.write(
                _(
                    "Checked %(checked)d: %(ok)d ok, %(redirected)d redirected, "
                    "%(broken)d broken, %(timeout)d timed out, %(error)d errors "
                    "in %(seconds).1f s."
                )
                % {
                    "checked": summary.checked,
                    "ok": summary.ok,
                    "redirected": summary.redirected,
                    "broken": summary.broken,
                    "timeout": summary.timeout,
                    "error": summary.error,
                    "seconds": summary.seconds,
                }
            )
            if summary.removed:
                self.stdout.write(
                    ngettext(
                        "Forgot %(count)d address no longer cited anywhere.",
                        "Forgot %(count)d addresses no longer cited anywhere.",
                        summary.removed,
                    )
                    % {"count": summary.removed}
                )
