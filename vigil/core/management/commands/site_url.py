from urllib.parse import urlsplit

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from wagtail.models import Site


class Command(BaseCommand):
    help = "Set the public address of the default site, used in feeds, sitemaps and share links."

    def add_arguments(self, parser):
        parser.add_argument("url", help="E.g. https://karimmassimov.com or http://127.0.0.1:8000")

    def handle(self, *args, url, **options):
        parts = urlsplit(url)
        if parts.scheme not in {"http", "https"} or not parts.hostname:
            raise CommandError(
                _("“%(url)s” is not an http(s) address such as https://example.org") % {"url": url}
            )
        if parts.path not in {"", "/"} or parts.query or parts.fragment:
            raise CommandError(_("Give the address of the site's root, without a path or query."))
        try:
            port = parts.port or (443 if parts.scheme == "https" else 80)
        except ValueError as exc:
            raise CommandError(_("The port in “%(url)s” is not valid.") % {"url": url}) from exc
        if parts.scheme == "https" and port != 443:
            # Wagtail's Site builds https:// addresses only for port 443.
            raise CommandError(_("An https address must use the standard port 443."))
        site = Site.objects.filter(is_default_site=True).first()
        if site is None:
            raise CommandError(_("There is no default site yet: run migrate and load_demo first."))
        if (site.hostname, site.port) != (parts.hostname, port):
            site.hostname, site.port = parts.hostname, port
            site.save()
            self.stdout.write(_("The site's address is now %(url)s") % {"url": site.root_url})
