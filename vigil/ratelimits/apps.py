from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from vigil.core.registry import schedule_register


class RateLimitsConfig(AppConfig):
    name = "vigil.ratelimits"
    label = "ratelimits"
    verbose_name = "Rate limits"

    def ready(self):
        from .services import ratelimit_purge_task  # in ready(): Django idiom

        # Old rate-limit windows are never read again; an hourly purge keeps the table small.
        schedule_register(
            name="rate counter purge",
            task=ratelimit_purge_task,
            every=3600,
            label=_("Delete old rate-limit counters"),
        )
