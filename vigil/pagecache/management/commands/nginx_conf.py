"""Print the nginx front's conf for this deployment and write its error pages."""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from vigil.pagecache.nginx import FrontOptions, error_pages_write, nginx_conf


class Command(BaseCommand):
    help = (
        "Print an nginx conf that serves cached pages, static files and images from disk "
        "and passes the rest to the app servers; write its error pages (deploy/README.md)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--app",
            action="append",
            dest="apps",
            help="An app server (host:port); repeat for several. Default 127.0.0.1:8000.",
        )
        parser.add_argument("--listen", default="80", help="Plain HTTP: port or address:port.")
        parser.add_argument("--tls-listen", default="443", help="HTTPS: port or address:port.")
        parser.add_argument("--tls-cert", default="", help="Certificate (chain) file: HTTPS.")
        parser.add_argument("--tls-key", default="", help="Its private key file.")
        parser.add_argument(
            "--server-name",
            action="append",
            dest="server_names",
            help="Host names (default: ALLOWED_HOSTS).",
        )
        parser.add_argument(
            "--error-pages",
            default=str(Path(settings.STATIC_ROOT).parent / "nginx-errors"),
            help="Where the error pages go (nginx must read it).",
        )
        parser.add_argument("--rate", default="10r/s", help="Uncached requests per address.")
        parser.add_argument("--burst", type=int, default=40)
        parser.add_argument("--post-rate", default="30r/m", help="POSTs per address.")
        parser.add_argument("--post-burst", type=int, default=10)
        parser.add_argument(
            "--conf-only", action="store_true", help="Print the conf; write no error pages."
        )

    def handle(self, *args, **options):
        if bool(options["tls_cert"]) != bool(options["tls_key"]):
            raise CommandError(_("Give both --tls-cert and --tls-key, or neither."))
        front = FrontOptions(
            apps=tuple(options["apps"] or ("127.0.0.1:8000",)),
            listen=options["listen"],
            tls_listen=options["tls_listen"],
            server_names=tuple(options["server_names"] or ()),
            tls_cert=options["tls_cert"],
            tls_key=options["tls_key"],
            error_pages=Path(options["error_pages"]).resolve(),
            rate=options["rate"],
            burst=options["burst"],
            post_rate=options["post_rate"],
            post_burst=options["post_burst"],
        )
        try:
            conf = nginx_conf(options=front)
        except ValueError as error:
            raise CommandError(str(error)) from None
        if not settings.VIGIL_BEHIND_PROXY or settings.VIGIL_PROXY_COUNT < 1:
            # Without them every reader would share nginx's address in the rate limits.
            self.stderr.write(
                _("Warning: run the app servers with BEHIND_PROXY=true and PROXY_COUNT=1.")
            )
        if not options["conf_only"]:
            written = error_pages_write(folder=front.error_pages)
            self.stderr.write(
                ngettext(
                    "%(count)d error page written to %(folder)s.",
                    "%(count)d error pages written to %(folder)s.",
                    len(written),
                )
                % {"folder": front.error_pages, "count": len(written)}
            )
        self.stdout.write(conf, ending="")
