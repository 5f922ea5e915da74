from django.apps import AppConfig

from vigil.core.registry import periodic_job_register


class SourcesConfig(AppConfig):
    name = "vigil.sources"
    label = "sources"

    def ready(self):
        from .services import sources_check_daily  # in ready(): Django idiom

        periodic_job_register(name="source check", run=sources_check_daily, interval=3600)
