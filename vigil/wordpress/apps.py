from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WordPressConfig(AppConfig):
    name = "vigil.wordpress"
    label = "wordpress"
    verbose_name = _("WordPress import")

    def ready(self):
        # Imported in ready(), the Django idiom for hooks: both modules import models,
        # which cannot load before the app registry is ready.
        from vigil.pagecache.wsgi import page_cache_query_parameters_everywhere_add

        from .services.redirects import WORDPRESS_QUERY_KEYS

        # Any page may answer an old WordPress address (`/?p=123`) with a redirect.
        page_cache_query_parameters_everywhere_add(names=WORDPRESS_QUERY_KEYS)
