from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WordPressConfig(AppConfig):
    name = "vigil.wordpress"
    label = "wordpress"
    verbose_name = _("WordPress import")

    def ready(self):
        from vigil.pagecache import wsgi as page_cache  # in ready(): Django idiom

        from .services.redirects import WORDPRESS_QUERY_KEYS  # in ready(): Django idiom

        # Any page may answer an old WordPress address (`/?p=123`) with a redirect.
        page_cache.page_cache_query_parameters_everywhere_add(names=WORDPRESS_QUERY_KEYS)
