from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from vigil.core.registry import periodic_job_register


class MirrorConfig(AppConfig):
    name = "vigil.mirror"
    label = "mirror"
    verbose_name = _("Mirrors")

    def ready(self):
        from .services import mirror_refresh_report  # in ready(): Django idiom

        periodic_job_register(name="mirror refresh", run=mirror_refresh_report, interval=30)
