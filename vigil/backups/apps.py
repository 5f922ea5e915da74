from django.apps import AppConfig

from vigil.core.registry import startup_task_register

from .storage import sqlite_files_private


class BackupsConfig(AppConfig):
    name = "vigil.backups"
    label = "backups"
    verbose_name = "Backups"

    def ready(self):
        # Signers' addresses, sessions and second factors: the database is the owner's only.
        startup_task_register(name="database files private", run=sqlite_files_private)
