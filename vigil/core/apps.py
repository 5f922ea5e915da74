from django.apps import AppConfig

from .registry import schedule_register


class CoreConfig(AppConfig):
    name = "vigil.core"
    label = "core"

    def ready(self):
        from . import tasks  # in ready(): Django idiom

        schedule_register(name="scheduled publishing", task=tasks.pages_publish_scheduled, every=60)
        schedule_register(name="task results purge", task=tasks.task_results_prune_task, every=3600)
