from django.apps import AppConfig


class NewsConfig(AppConfig):
    name = "vigil.news"
    label = "news"

    def ready(self):
        from .signals import tag_signals_connect

        tag_signals_connect()
