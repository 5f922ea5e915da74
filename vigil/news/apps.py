from django.apps import AppConfig

from vigil.core.registry import page_role_register


class NewsConfig(AppConfig):
    name = "vigil.news"
    label = "news"

    def ready(self):
        from .models import UpdateIndexPage  # in ready(): Django idiom
        from .publication import publication_signals_connect  # in ready(): Django idiom
        from .signals import tag_signals_connect  # in ready(): Django idiom

        page_role_register(role="updates_index", model=UpdateIndexPage)
        tag_signals_connect()
        # Before the page cache's handler (pagecache comes later in INSTALLED_APPS), so
        # the cached copy already carries the go-live date.
        publication_signals_connect()
