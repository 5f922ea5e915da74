from django.apps import AppConfig

from vigil.core.registry import periodic_job_register


class SourcesConfig(AppConfig):
    name = "vigil.sources"
    label = "sources"

    def ready(self):
        # Imported in ready(), the Django idiom for hooks: services import models, which
        # cannot load before the app registry is ready.
        from .services import sources_check_daily

        periodic_job_register(name="source check", run=sources_check_daily, interval=3600)
