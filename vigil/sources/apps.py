from django.apps import AppConfig


class SourcesConfig(AppConfig):
    name = "vigil.sources"
    label = "sources"
