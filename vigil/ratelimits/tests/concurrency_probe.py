"""Hit one rate counter from many threads at once; print how many hits were allowed.

Run by test_ratelimits.py in its own process, against a database given on the command
line, so that every thread has a real connection of its own (the in-memory test database
cannot be shared between connections).

    python -m vigil.ratelimits.tests.concurrency_probe DATABASE_URL THREADS HITS LIMIT KEY
"""

import os
import sys
import threading


def main() -> None:
    url, threads, hits, limit, key = sys.argv[1:6]
    os.environ["DATABASE_URL"] = url
    os.environ["DJANGO_SETTINGS_MODULE"] = "vigil.settings.test"
    import django

    django.setup()
    from django.db import connection, connections

    from vigil.ratelimits.models import RateCounter
    from vigil.ratelimits.services import ratelimit_hit, ratelimit_stored_key

    if connection.vendor == "sqlite":
        with connection.schema_editor() as editor:
            editor.create_model(RateCounter)
    connection.close()

    allowed = []
    lock = threading.Lock()
    start = threading.Barrier(int(threads))

    def worker():
        start.wait()
        mine = sum(
            ratelimit_hit(key=key, limit=int(limit), window_seconds=3600) for _ in range(int(hits))
        )
        with lock:
            allowed.append(mine)
        connections.close_all()

    pool = [threading.Thread(target=worker) for _ in range(int(threads))]
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join()
    # Stored under a keyed hash of the key per window: the hits fall in one or two windows.
    import time

    start = int(time.time()) // 3600 * 3600
    stored = [ratelimit_stored_key(key=key, window_start=w) for w in (start - 3600, start)]
    mine = RateCounter.objects.filter(key__in=stored)
    print(sum(allowed), sum(mine.values_list("count", flat=True)))
    # On PostgreSQL this is the shared test database: leave nothing behind.
    mine.delete()


if __name__ == "__main__":
    main()
