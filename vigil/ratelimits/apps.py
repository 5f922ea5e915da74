from django.apps import AppConfig

from vigil.core.registry import periodic_job_register


class RateLimitsConfig(AppConfig):
    name = "vigil.ratelimits"
    label = "ratelimits"
    verbose_name = "Rate limits"

    def ready(self):
        from .services import ratelimit_purge  # in ready(): Django idiom

        # Old rate-limit windows are never read again; an hourly purge keeps the table small.
        periodic_job_register(name="rate counter purge", run=ratelimit_purge, interval=3600)
