import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "vigil.settings.production")

django_application = get_wsgi_application()

from vigil.pagecache.wsgi import PageCacheApp, query_render  # noqa: E402  (needs Django set up)

# Cached public pages are answered here, before Django's middleware runs.
application = PageCacheApp(django_application)

from vigil.core.server import ServerFront  # noqa: E402  (reads Django's settings)

# What `manage.py serve` runs (RSGI): request bodies are read before Django's threads
# see them, and cached pages are answered without a thread (vigil/core/server.py).
front = ServerFront(application, query_render=query_render)
