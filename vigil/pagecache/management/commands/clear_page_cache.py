from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from vigil.pagecache.services import page_cache_clear, page_cache_root


class Command(BaseCommand):
    help = (
        "Forget every cached public page (needed only after changing the database by hand; "
        "`serve` does it at start)."
    )

    def handle(self, *args, **options):
        if page_cache_root() is None:
            self.stdout.write(_("The page cache is off (PAGE_CACHE_DIR is empty)."))
            return
        removed = page_cache_clear()
        self.stdout.write(
            ngettext("%(count)d cached page removed.", "%(count)d cached pages removed.", removed)
            % {"count": removed}
        )
