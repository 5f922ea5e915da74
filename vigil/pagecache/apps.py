from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from vigil.core.registry import schedule_register, startup_task_register


class PageCacheConfig(AppConfig):
    name = "vigil.pagecache"
    label = "pagecache"
    verbose_name = _("Page cache")

    def ready(self):
        from . import signals  # in ready(): Django idiom
        from .services import (  # in ready(): Django idiom
            page_cache_clear,
            page_cache_prune_task,
        )

        signals.connect()
        # Templates or code may have changed since the pages were cached.
        startup_task_register(name="page cache clear", run=page_cache_clear)
        schedule_register(
            name="page cache prune",
            task=page_cache_prune_task,
            every=3600,
            label=_("Delete expired cached pages"),
        )
