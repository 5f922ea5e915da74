"""A crashed granian worker does not take the site down: granian starts a new one, and
the task worker beside the server (`manage.py worker`) keeps working."""

import os
import signal
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
    granian has started a replacement, the main process is untouched, and the task
    worker still sends what is queued afterwards."""
    site = LiveSite(site_template, tmp_path / "site", smtp_port=mailbox.port, workers=2)
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
