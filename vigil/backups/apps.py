from django.apps import AppConfig


class BackupsConfig(AppConfig):
    name = "vigil.backups"
    label = "backups"
    verbose_name = "Backups"
