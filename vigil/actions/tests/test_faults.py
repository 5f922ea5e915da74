"""kill -9 of the production server in the middle of signing and of a newsletter send.

Each test runs `manage.py serve` (granian) on a copy of the demo site with a file
SQLite database, kills its whole process group (or the task worker's) with SIGKILL while
clients or the mail are busy, starts it again and reads what the database file holds.
"""

import os
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import requests
from django.db import connection

from vigil.testing.live_site import HTTP_TIMEOUT, LiveSite
from vigil.testing.mail import Mailbox, smtp_server
from vigil.testing.servers import free_port
from vigil.testing.signers import PETITION, sign_and_confirm, wait_for

SIGNERS = 120
CLIENTS = 50


def test_kill_9_while_50_clients_sign_loses_no_confirmed_signature(live_site, mailbox):
    """120 people sign and confirm from 50 clients; the server is killed with SIGKILL when
    a third have been told their signature counts, and started again.

    Every signature whose confirmation was answered is confirmed in the database, once;
    no address has two rows; the clients cut off by the crash finish after the restart.
    """
    site = live_site
    stats: Counter = Counter()
    lock = threading.Lock()
    answered: list[str] = []
    addresses = [f"signer{i:03d}.faults@example.org" for i in range(SIGNERS)]
    killed = {}

    def killer():
        while True:
            with lock:
                done = len(answered)
            if done >= SIGNERS // 3:
                break
            time.sleep(0.01)
        site.kill()
        with lock:
            killed["answered_before"] = len(answered)
            killed["confirmed_in_db"] = site.query(
                "SELECT COUNT(*) FROM actions_signature WHERE confirmed_at IS NOT NULL"
            )[0][0]
            killed["answered_set"] = set(answered)
        site.start()

    killer_thread = threading.Thread(target=killer)
    killer_thread.start()
    with ThreadPoolExecutor(CLIENTS) as pool:
        futures = [
            pool.submit(sign_and_confirm, site, mailbox, a, stats, lock, answered)
            for a in addresses
        ]
        for future in futures:
            future.result()
    killer_thread.join()

    rows = site.query("SELECT email, confirmed_at FROM actions_signature")
    per_address = Counter(email for email, _ in rows)
    confirmed = {email for email, at in rows if at is not None}
    interrupted = sum(stats.values())
    print(
        f"\n{SIGNERS} signers, {CLIENTS} clients; killed after {killed['answered_before']} "
        f"confirmations were answered ({killed['confirmed_in_db']} confirmed in the file then); "
        f"requests retried after the crash: {dict(stats)}; rows {len(rows)}, "
        f"confirmed {len(confirmed)}, lost {len(set(answered) - confirmed)}"
    )
    assert killed["answered_before"] < SIGNERS, "the kill came in the middle of the run"
    assert interrupted > 0, "the kill cut off requests in flight"
    # Nothing confirmed before the crash was lost with it...
    assert killed["answered_set"] <= confirmed
    assert killed["confirmed_in_db"] >= len(killed["answered_set"])
    # ...and signing went on after the restart until everyone was confirmed.
    assert sorted(answered) == sorted(addresses)
    assert confirmed == set(addresses)
    assert max(per_address.values()) == 1 and len(rows) == SIGNERS
    page = requests.get(site.url + PETITION, timeout=HTTP_TIMEOUT)
    assert f"<strong>{SIGNERS}</strong> confirmed signatures" in page.text


SUBSCRIBERS = 200

QUEUE_MAILING = f"""
from django.utils import timezone
from vigil.actions import services
from vigil.actions.models import Subscriber
from vigil.news.models import UpdatePage
Subscriber.objects.bulk_create(
    Subscriber(email=f"reader{{i:03d}}.faults@example.org", language="en",
               confirmed_at=timezone.now())
    for i in range({SUBSCRIBERS})
)
page = UpdatePage.objects.live().filter(locale__language_code="en").order_by("pk").first()
print(services.mailing_create(page=page, user=None).pk)
"""


def _mailing_state(site, mailing_id):
    status = site.query("SELECT status FROM actions_mailing WHERE id = ?", (mailing_id,))[0][0]
    sent = site.query(
        "SELECT COUNT(*) FROM actions_delivery WHERE mailing_id = ? AND sent_at IS NOT NULL",
        (mailing_id,),
    )[0][0]
    return status, sent


def _update_recipients(box) -> Counter:
    return Counter(
        rcpt
        for recipients, message in box.all()
        if str(message["Message-ID"]).startswith("<vigil-mailing-")
        for rcpt in recipients
    )


def test_kill_9_during_a_newsletter_send_resumes_and_sends_each_once(
    site_template, tmp_path, mailbox
):
    """200 subscribers; the task worker sending them is killed with SIGKILL a third of the
    way through the send and another is started. It finds the dead worker's task and
    runs it again: the send resumes by itself and finishes.

    The design marks each message sent as soon as the mail server has accepted it: a
    message accepted but not yet marked when the process dies is sent again, so at most
    one subscriber (the one in flight) gets it twice, with the same Message-ID; every
    other subscriber gets it exactly once, and nobody none.
    """
    mailbox.delay = 0.01  # a mail server slow enough for the kill to land mid-send
    site = LiveSite(site_template, tmp_path / "site", smtp_port=mailbox.port)
    mailing_id = int(site.manage("shell", "-c", QUEUE_MAILING).split()[-1])
    try:
        site.start()
        wait_for(lambda: len(_update_recipients(mailbox)) >= SUBSCRIBERS // 3, "a third")
        site.task_worker_kill()
        received_before = sum(_update_recipients(mailbox).values())
        status_at_kill, marked_at_kill = _mailing_state(site, mailing_id)
        site.task_worker_start()
        wait_for(lambda: _mailing_state(site, mailing_id)[0] == "done", "the send to finish")
    finally:
        site.stop()

    received = _update_recipients(mailbox)
    twice = {address: n for address, n in received.items() if n > 1}
    expected = {f"reader{i:03d}.faults@example.org" for i in range(SUBSCRIBERS)}
    print(
        f"\n{SUBSCRIBERS} subscribers; killed after {received_before} messages accepted "
        f"({marked_at_kill} marked sent, status {status_at_kill}); after the restart: "
        f"{sum(received.values())} messages, {len(received)} subscribers, twice: {twice}"
    )
    assert status_at_kill == "sending" and marked_at_kill < SUBSCRIBERS, "killed mid-send"
    assert received_before - marked_at_kill <= 1, "at most the message in flight unmarked"
    assert set(received) == expected, "every subscriber got the update"
    assert len(twice) <= 1 and all(n == 2 for n in twice.values())
    for address in twice:
        ids = {str(m["Message-ID"]) for rcpt, m in mailbox.all() if address in rcpt}
        assert len(ids) == 1, "a re-sent message keeps its Message-ID"
    assert _mailing_state(site, mailing_id) == ("done", SUBSCRIBERS)


_SEND_FAILED = "vigil.actions.services.mailings.mailings_send failed (attempt 1)"


def test_the_mail_worker_survives_a_dead_mail_server(site_template, tmp_path):
    """The mailing task raises while the mail server is down; the failure is logged with
    its traceback, the task waits for its first retry delay (30 s), and once the mail
    server is back and that moment has come the send goes out."""
    smtp_port = free_port()  # nothing listens here yet
    site = LiveSite(site_template, tmp_path / "site", smtp_port=smtp_port)
    mailing_id = int(site.manage("shell", "-c", QUEUE_MAILING).split()[-1])
    try:
        site.start()
        wait_for(lambda: _SEND_FAILED in site.log, "the worker's failure in the log")
        assert _mailing_state(site, mailing_id)[1] == 0
        assert "it runs again in 30 s" in site.log
        waits = site.query(
            "SELECT (julianday(run_after) - julianday('now')) * 86400"
            " FROM django_tasks_database_dbtaskresult"
            " WHERE task_path LIKE '%mailings_send' AND status = 'READY'"
        )
        assert waits and all(20 < wait <= 30 for (wait,) in waits), waits
        box = Mailbox()
        with smtp_server(box, smtp_port):
            # The 30 s pass at once: the retry's moment is brought forward.
            site.query(
                "UPDATE django_tasks_database_dbtaskresult SET run_after = datetime('now')"
                " WHERE task_path LIKE '%mailings_send' AND status = 'READY'"
            )
            wait_for(lambda: _mailing_state(site, mailing_id)[0] == "done", "the send")
            assert site.log.count(_SEND_FAILED) >= 1
            assert len(_update_recipients(box)) == SUBSCRIBERS
            # The site answered throughout.
            assert requests.get(site.url + "/", timeout=HTTP_TIMEOUT).status_code == 200
    finally:
        site.stop()
    assert "Connection refused" in site.log


def test_a_killed_sender_leaves_no_lease_behind(db):
    """The mailer's lease names its holder process: while that process lives no second
    sender runs; once it is killed with kill -9, the next sender takes the lease at once
    (on PostgreSQL the server frees an advisory lock with its holder's connection)."""
    from vigil.core.leases import _HOST, lease_hold
    from vigil.core.models import Lease

    holder = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(600)"])
    try:
        Lease.objects.create(name="mailer", holder=f"{_HOST}:{holder.pid}:x")
        if connection.vendor == "sqlite":
            with lease_hold(name="mailer") as acquired:
                assert acquired is False
        os.kill(holder.pid, signal.SIGKILL)
        holder.wait(timeout=HTTP_TIMEOUT)
        with lease_hold(name="mailer") as acquired:
            assert acquired is True
            with lease_hold(name="mailer") as second:
                assert second is False, "one sender at a time, threads of one process too"
        with lease_hold(name="mailer") as again:
            assert again is True, "released when its holder is done"
    finally:
        if holder.poll() is None:
            holder.kill()
            holder.wait()
