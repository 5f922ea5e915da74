from django.apps import AppConfig


class PagesConfig(AppConfig):
    name = "vigil.pages"
    label = "pages"
