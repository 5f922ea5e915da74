"""Run queued background tasks inside a test, as `manage.py worker` would.

`tasks_run()` claims and runs every ready task in the test's own process and
transaction (the worker's loop would close the test's connection between tasks), and
returns their paths in the order they ran. Schedules are not fired: a test that wants
a periodic task enqueues it (or calls `schedules_fire`) itself.
"""

from django_tasks import DEFAULT_TASK_BACKEND_ALIAS

from vigil.core.management.commands.worker import VigilWorker


def tasks_run(*, limit: int = 100) -> list[str]:
    worker = VigilWorker(
        queue_names=["*"],
        interval=0,
        batch=True,
        backend_name=DEFAULT_TASK_BACKEND_ALIAS,
        startup_delay=False,
        max_tasks=None,
        worker_id="test",
        excluded_queue_names=[],
    )
    ran = []
    for _ in range(limit):
        result = worker.step()
        if result is None:
            break
        ran.append(result.task_path)
    return ran
