"""A crashed granian worker does not take the site down: granian starts a new one, and
the background threads of `manage.py serve` (in the main process) keep working."""

import os
import signal
import threading
import time

import requests

from vigil.testing.live_site import HTTP_TIMEOUT, LiveSite

GIVE_UP_AFTER = 120  # waiting only


def _wait_for(condition, what: str):
    deadline = time.monotonic() + GIVE_UP_AFTER
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"gave up waiting for {what}")
        time.sleep(0.1)


def _answers(url: str) -> bool:
    try:
        return requests.get(url, timeout=HTTP_TIMEOUT).status_code == 200
    except requests.RequestException:
        return False


QUEUE_MAILING = """
from django.utils import timezone
from vigil.actions import services
from vigil.actions.models import Subscriber
from vigil.news.models import UpdatePage
Subscriber.objects.create(email="after-crash@example.org", language="en",
                          confirmed_at=timezone.now())
page = UpdatePage.objects.live().filter(locale__language_code="en").order_by("pk").first()
services.mailing_create(page=page, user=None)
"""


def test_killing_workers_leaves_the_site_answering(site_template, tmp_path, mailbox):
    """kill -9 one of two workers, then the other: each time the site answers again,
    granian has started a replacement, the main process is untouched, and its mail
    worker still sends what is queued afterwards."""
    site = LiveSite(
        site_template, tmp_path / "site", smtp_port=mailbox.port, workers=2, mail_interval=1
    )
    site.start()
    try:
        first = site.worker_pids()
        assert len(first) == 2
        killed = []
        for victim in sorted(first):
            os.kill(victim, signal.SIGKILL)
            killed.append(victim)
            _wait_for(
                lambda: len(site.worker_pids()) == 2 and not site.worker_pids() & set(killed),
                "granian to replace the killed worker",
            )
            _wait_for(lambda: _answers(site.url + "/"), "the site to answer")
            assert site.process.poll() is None, "the main process lives on"
            for path in ("/", "/petition/", "/updates/", "/ru/"):
                response = requests.get(site.url + path, timeout=HTTP_TIMEOUT)
                assert response.status_code == 200, (path, site.log[-4000:])
        assert not site.worker_pids() & first, "both workers are new ones"
        site.manage("shell", "-c", QUEUE_MAILING)
        _wait_for(lambda: mailbox.to("after-crash@example.org"), "the mail worker's send")
    finally:
        site.stop()
    assert site.log.count("Respawning worker") == 2
    assert "Traceback" not in site.log


class Rounds:
    """Stands in for serve's stop event: lets the loop run `n` rounds."""

    def __init__(self, n: int):
        self.left = n

    def wait(self, timeout):
        self.left -= 1
        return self.left < 0


def test_a_background_job_that_raises_is_logged_and_runs_again(caplog, monkeypatch):
    """A job of `serve` that fails is logged with its traceback and runs at the next
    round all the same: one bad round (a locked database, a dead mail server) never
    ends the thread."""
    from vigil.core.management.commands import serve

    # The loop closes its thread's database connections after each round; this test
    # has no database, and a connection left open by an earlier test in the process
    # must not be touched.
    monkeypatch.setattr(serve, "_connections_close", lambda: None)
    calls = []

    def job():
        calls.append(len(calls))
        if len(calls) < 3:
            raise OSError("mail server gone")

    with caplog.at_level("ERROR", logger="vigil.serve"):
        serve._repeat(job, 0, Rounds(4), "test job")
    assert calls == [0, 1, 2, 3]
    failures = [r for r in caplog.records if r.name == "vigil.serve"]
    assert len(failures) == 2
    assert failures[0].getMessage() == "test job failed; it runs again in 0 s"
    assert failures[0].exc_info[1].args == ("mail server gone",)


def test_a_worker_is_not_forked_while_a_job_has_the_database_open(monkeypatch):
    """granian forks replacement workers from serve's process while its jobs run. A fork
    in the middle of a job would hand the new worker a copy of the job's SQLite
    connection and locks (it then answered "database is locked" to every write): the
    fork waits for the job's round to end."""
    from vigil.core.management.commands import serve

    monkeypatch.setattr(serve, "_connections_close", lambda: None)
    started, finished = threading.Event(), threading.Event()

    def job():
        started.set()
        time.sleep(0.5)
        finished.set()

    loop = threading.Thread(target=serve._repeat, args=(job, 0, Rounds(1), "test job"))
    loop.start()
    assert started.wait(GIVE_UP_AFTER)
    pid = os.fork()
    if pid == 0:  # the new worker: was the job's round over when it was forked?
        os._exit(0 if finished.is_set() else 1)
    _, status = os.waitpid(pid, 0)
    loop.join()
    assert os.waitstatus_to_exitcode(status) == 0
