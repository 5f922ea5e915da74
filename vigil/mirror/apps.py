from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from vigil.core.registry import schedule_register


class MirrorConfig(AppConfig):
    name = "vigil.mirror"
    label = "mirror"
    verbose_name = _("Mirrors")

    def ready(self):
        from wagtail.signals import page_published, page_unpublished

        from . import signals  # in ready(): Django idiom
        from .services import mirror_refresh_task  # in ready(): Django idiom

        # A publish enqueues a refresh in its own transaction (signals.py); this run
        # catches every other change (statements, documents, settings) within a minute,
        # and makes the daily full export.
        schedule_register(
            name="mirror refresh",
            task=mirror_refresh_task,
            every=60,
            label=_("Refresh the static mirror"),
        )
        page_published.connect(signals.mirror_refresh_enqueue, dispatch_uid="vigil-mirror")
        page_unpublished.connect(signals.mirror_refresh_enqueue, dispatch_uid="vigil-mirror-un")
