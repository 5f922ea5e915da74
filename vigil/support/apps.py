from django.apps import AppConfig


class SupportConfig(AppConfig):
    name = "vigil.support"
    label = "support"
