from django.apps import AppConfig

from vigil.core.registry import page_role_register


class LibraryConfig(AppConfig):
    name = "vigil.library"
    label = "library"

    def ready(self):
        from .models import LibraryPage  # in ready(): Django idiom

        page_role_register(role="library", model=LibraryPage)
