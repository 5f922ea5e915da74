"""Several nodes and the worker: how soon a publish shows on another node, and how fast
the worker sends mail.

    .venv/bin/python -m bench.nodes            # make bench-nodes

On a throw-away PostgreSQL database (bench/postgres.py) with the demo campaign, two
`manage.py serve` nodes (each with its own page-cache folder), one `manage.py worker`
and nginx in front (vigil/testing/nodes.py, as the two-node fault test starts them):

1. **Publish to fresh page on the other node**, 20 times: node B has the updates list
   cached (a hit); an update is published by a process of its own, which prints the
   moment its transaction committed; node B's list is then asked for every 10 ms until
   it shows the new title. Median and maximum of the 20 delays.
2. **Update emails per second**: MAIL_SUBSCRIBERS confirmed subscribers, one mailing
   queued (as the editor's send does); the time from queuing to the last message
   accepted by the SMTP server in this process.

Printed and written to bench/results/nodes-DATE-HOST.txt.
"""

import statistics
import tempfile
import time
from pathlib import Path

import requests

from bench.mirror import results_write
from bench.postgres import postgres_database
from vigil.testing.commands import manage
from vigil.testing.mail import mailbox_serving
from vigil.testing.nodes import Cluster

PUBLISHES = 20
MAIL_SUBSCRIBERS = 2000
PUBLISH = """
import time
from vigil.news.models import UpdatePage
page = UpdatePage.objects.live().filter(locale__language_code="en").order_by("-pk").first()
page.title = {title!r}
page.save_revision().publish()
print("committed", time.time())
"""
MAILING = """
import time
from django.utils import timezone
from vigil.actions import services
from vigil.actions.models import Subscriber
from vigil.news.models import UpdatePage
Subscriber.objects.bulk_create(
    [Subscriber(email=f"reader{{i:05d}}@example.org", language="en", confirmed_at=timezone.now())
     for i in range({count})]
)
page = UpdatePage.objects.live().filter(locale__language_code="en").order_by("pk").first()
print("queued", time.time())
services.mailing_create(page=page, user=None)
"""


def _publish_delays(cluster: Cluster) -> list[float]:
    node_b = cluster.nodes[1]
    delays = []
    for round_number in range(PUBLISHES):
        title = f"Bench publish {round_number}"
        for _ in range(2):
            requests.get(node_b.url + "/updates/", timeout=30)
        output = manage("shell", "-c", PUBLISH.format(title=title), env=cluster.env)
        committed = float(output.split("committed")[-1].split()[0])
        while title not in requests.get(node_b.url + "/updates/", timeout=30).text:
            time.sleep(0.01)
        delays.append(time.time() - committed)
    return delays


def _mail_rate(cluster: Cluster, mailbox) -> tuple[float, float]:
    output = manage("shell", "-c", MAILING.format(count=MAIL_SUBSCRIBERS), env=cluster.env)
    queued = float(output.split("queued")[-1].split()[0])
    while len(mailbox.all()) < MAIL_SUBSCRIBERS:
        time.sleep(0.05)
    seconds = time.time() - queued
    return MAIL_SUBSCRIBERS / seconds, seconds


def main() -> None:
    with (
        tempfile.TemporaryDirectory() as tmp,
        postgres_database() as database_url,
        mailbox_serving() as mailbox,
    ):
        work = Path(tmp)
        cluster = Cluster(
            work=work,
            database_url=database_url,
            smtp_port=mailbox.port,
            static_root=work / "static",
        )
        try:
            cluster.build()
            manage("collectstatic", "--noinput", "-v", "0", env=cluster.env)
            cluster.start()
            delays = _publish_delays(cluster)
            rate, seconds = _mail_rate(cluster, mailbox)
        finally:
            cluster.stop()
    results_write(
        kind="nodes",
        lines=[
            "Two nodes on one PostgreSQL, one worker, nginx in front (bench/nodes.py)",
            f"Publish to fresh page on the other node ({PUBLISHES} publishes): median "
            f"{statistics.median(delays) * 1000:.0f} ms, max {max(delays) * 1000:.0f} ms",
            f"Update emails: {MAIL_SUBSCRIBERS} in {seconds:.1f} s = {rate:.0f} per second "
            "(one worker, SMTP server on loopback)",
        ],
    )


if __name__ == "__main__":
    main()
