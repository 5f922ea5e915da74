from django.apps import AppConfig


class LibraryConfig(AppConfig):
    name = "vigil.library"
    label = "library"
