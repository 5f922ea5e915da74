from django.apps import AppConfig


class NewsConfig(AppConfig):
    name = "vigil.news"
    label = "news"

    def ready(self):
        from .publication import publication_signals_connect  # in ready(): Django idiom
        from .signals import tag_signals_connect  # in ready(): Django idiom

        tag_signals_connect()
        # Before the page cache's handler (pagecache comes later in INSTALLED_APPS), so
        # the cached copy already carries the go-live date.
        publication_signals_connect()
