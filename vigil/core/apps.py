from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from .registry import schedule_register


class CoreConfig(AppConfig):
    name = "vigil.core"
    label = "core"

    def ready(self):
        from . import tasks  # in ready(): Django idiom

        schedule_register(
            name="scheduled publishing",
            task=tasks.pages_publish_scheduled,
            every=60,
            label=_("Publish scheduled pages"),
        )
        schedule_register(
            name="task results purge",
            task=tasks.task_results_prune_task,
            every=3600,
            label=_("Delete old records of this report"),
        )
