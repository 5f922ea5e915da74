from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from vigil.core.registry import schedule_register


class SourcesConfig(AppConfig):
    name = "vigil.sources"
    label = "sources"

    def ready(self):
        from .services import sources_check_daily  # in ready(): Django idiom

        schedule_register(
            name="source check",
            task=sources_check_daily,
            every=3600,
            label=_("Check that cited sources still answer"),
        )
