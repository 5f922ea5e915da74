"""The slow-body probe of bench/security/run.py (`--only slow-body`), issue 18 item 3.

N connections each send a POST's headers and then its body one byte every 2 s, as the
probe that found the hole did; meanwhile the home page (a cached page) is fetched over
and over and its p50/p95 recorded. Run against `manage.py serve` as `make run` starts
it, and, for comparison, against granian's WSGI mode with 4 threads (how `serve` ran
before: a thread waited for each body). Each slow connection's end is recorded: the
status the server answered with and when.
"""

import contextlib
import os
import secrets
import subprocess
import threading
import time
from pathlib import Path

import requests

from bench.signing import Report, percentile
from vigil.testing.commands import PYTHON, ROOT, manage
from vigil.testing.servers import answer_wait, free_port, group_stop
from vigil.testing.slow_sender import DRIP_SECONDS, SlowSender

# The old server: granian's WSGI mode, one worker of four blocking threads.
WSGI_SERVER = (
    "from granian import Granian; from granian.constants import Interfaces; import sys; "
    "Granian('vigil.wsgi:application', address='127.0.0.1', port=int(sys.argv[1]), "
    "interface=Interfaces.WSGI, workers=1, blocking_threads=4).serve()"
)


def _home_times(base: str, count: int, timeout: float) -> tuple[list[float], int]:
    times, failed = [], 0
    with requests.Session() as session:
        for _ in range(count):
            started = time.perf_counter()
            try:
                ok = session.get(base + "/", timeout=timeout).status_code == 200
            except requests.RequestException:
                ok = False
            elapsed = time.perf_counter() - started
            if ok:
                times.append(elapsed)
            else:
                failed += 1
    return times, failed


def _figures(times: list[float], failed: int) -> str:
    if not times:
        return f"no answer ({failed} failed)"
    return (
        f"p50 {percentile(times, 50) * 1000:.1f} ms, p95 {percentile(times, 95) * 1000:.1f} ms, "
        f"{failed} failed of {len(times) + failed}"
    )


def _probe(report: Report, label: str, base: str, port: int, sockets: int, wait: float) -> dict:
    times, failed = _home_times(base, 30, 5)
    report(f"{label}: home page alone: {_figures(times, failed)}")
    stop = threading.Event()
    drips = [SlowSender(port, length=100_000, stop=stop) for _ in range(sockets)]
    for drip in drips:
        drip.start()
    time.sleep(DRIP_SECONDS)
    times, failed = _home_times(base, 20, 5)
    report(f"{label}: home page with {sockets} slow bodies: {_figures(times, failed)}")
    deadline = time.monotonic() + wait
    for drip in drips:
        drip.join(timeout=max(0.0, deadline - time.monotonic()))
    stop.set()
    ends = sorted(d.outcome() for d in drips)
    report(f"{label}: slow connections ended: {', '.join(ends)}")
    times_after, failed_after = _home_times(base, 10, 5)
    report(f"{label}: home page afterwards: {_figures(times_after, failed_after)}")
    return {"times": times, "failed": failed, "drips": drips}


@contextlib.contextmanager
def _serving(args: list[str], env: dict, port: int, log: Path):
    with log.open("wb") as out:
        process = subprocess.Popen(
            args, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )
    try:
        try:
            answer_wait(url=f"http://127.0.0.1:{port}/", process=process, timeout=90)
        except RuntimeError:
            raise RuntimeError(f"the server did not start:\n{log.read_text()[-2000:]}") from None
        yield
    finally:
        group_stop(process)


def slow_body_run(report: Report, tmp: Path, sockets: int) -> None:
    report(f"\n== slow bodies: {sockets} connections sending a body 1 byte every 2 s ==")
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "bench.security.settings",
        "BENCH_VAR_DIR": str(tmp),
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "HTTPS": "false",
        "BASE_URL": base,
        "DATABASE_URL": f"sqlite:///{tmp / 'db.sqlite3'}",
        "MEDIA_ROOT": str(tmp / "media"),
        "PYTHONUNBUFFERED": "1",
    }
    manage("migrate", "--noinput", "-v", "0", env=env)
    manage("load_demo", "-v", "0", env=env)
    manage("site_url", base, env=env)
    manage("collectstatic", "--noinput", "-v", "0", env=env)
    serve = [str(PYTHON), "manage.py", "serve", "--host", "127.0.0.1", "--port", str(port)]
    with _serving(serve, env, port, tmp / "serve.log"):
        now = _probe(report, "manage.py serve", base, port, sockets, wait=40)
    with _serving([str(PYTHON), "-c", WSGI_SERVER, str(port)], env, port, tmp / "wsgi.log"):
        _probe(report, "before (granian WSGI, 4 threads)", base, port, sockets, wait=5)
    report.check(
        not now["failed"] and percentile(now["times"], 50) < 0.100,
        f"home page p50 under 100 ms, none failed, with {sockets} slow bodies",
    )
    report.check(
        all(d.status() == 408 for d in now["drips"]),
        "every slow body ended with 408 after its grace period",
    )
