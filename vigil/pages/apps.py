from django.apps import AppConfig

from vigil.core.registry import page_role_register


class PagesConfig(AppConfig):
    name = "vigil.pages"
    label = "pages"

    def ready(self):
        from .models import HomePage  # in ready(): Django idiom

        # The site chrome and the hero (core, cases) read the home page's links.
        page_role_register(role="home", model=HomePage)
