"""Run queued background tasks inside a test, as `manage.py worker` would.

`tasks_run()` claims and runs every ready task in the test's own process and
transaction (the worker's loop would close the test's connection between tasks), and
returns their paths in the order they ran. Schedules are not fired: a test that wants
a periodic task enqueues it (or calls `schedules_fire`) itself.
"""

from vigil.core.management.commands.worker import worker_new


def tasks_run(*, limit: int = 100) -> list[str]:
    worker = worker_new(queues=["*"], interval=0, batch=True)
    ran = []
    for _ in range(limit):
        result = worker.step()
        if result is None:
            break
        ran.append(result.task_path)
    return ran
