"""The task backend named in settings.TASKS: django-tasks-db, and Wagtail's own tasks
run at once.

Wagtail 8 hands four kinds of work to Django's Tasks API: the search index (its
`modelsearch` package: a page is found by search once saved), the reference index
(what the admin's "used by" and the page cache's invalidations read), deleting a
replaced file, and CDN purges. Vigil relies on each being done when the editor's save returns,
as they were before Vigil had a worker: they are short, and a purge sent by the node
that made the change goes out once, not once per node. Vigil's own tasks go to the
database and a worker (vigil/core/tasks.py).
"""

from django_tasks.backends.immediate import ImmediateBackend
from django_tasks_db.backend import DatabaseBackend

_RUN_AT_ONCE = ("wagtail.", "modelsearch.")


class TaskBackend(DatabaseBackend):
    def __init__(self, alias: str, params: dict) -> None:
        super().__init__(alias, params)
        self._at_once = ImmediateBackend(alias=alias, params={})

    def enqueue(self, task, args, kwargs):
        if task.module_path.startswith(_RUN_AT_ONCE):
            return self._at_once.enqueue(task, args, kwargs)
        return super().enqueue(task, args, kwargs)
