"""Two app nodes on one PostgreSQL behind nginx, one task worker: 50 people sign while
an editor's change is published, and one node is killed with kill -9.

Runs in the PostgreSQL pass (the `postgres_cluster` marker; the SQLite pass leaves it
out), on a database of its own on that server (vigil/testing/nodes.py).
"""

import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import psycopg
import pytest
import requests
from django.conf import settings

from vigil.testing.commands import manage
from vigil.testing.live_site import HTTP_TIMEOUT, run_base, static_collect
from vigil.testing.mail import mailbox_serving
from vigil.testing.nodes import Cluster, postgres_database_temporary
from vigil.testing.signers import PETITION, sign_and_confirm, wait_for

pytestmark = pytest.mark.postgres_cluster

SIGNERS = 50
CLIENTS = 5
SEARCHES_ALLOWED = 3
ARRIVALS_EVERY = 0.3
NEW_TITLE = "Appeal hearing set for next week"
PUBLISH = f"""
from vigil.news.models import UpdatePage
page = UpdatePage.objects.live().filter(locale__language_code="en").order_by("-pk").first()
page.title = {NEW_TITLE!r}
page.save_revision().publish()
"""


@pytest.fixture(scope="module")
def mailbox_nodes():
    with mailbox_serving() as box:
        yield box


@pytest.fixture(scope="module")
def cluster(tmp_path_factory, mailbox_nodes):
    if settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
        pytest.fail("the cluster test runs on PostgreSQL (make test's second pass)")
    static_root = static_collect(run_base(tmp_path_factory))
    with postgres_database_temporary() as database_url:
        cluster = Cluster(
            work=tmp_path_factory.mktemp("cluster"),
            database_url=database_url,
            smtp_port=mailbox_nodes.port,
            static_root=static_root,
            extra_env={"SEARCH_RATE_LIMIT": str(SEARCHES_ALLOWED)},
        )
        try:
            cluster.build()
            cluster.start()
            yield cluster
        finally:
            cluster.stop()


def _rows(cluster: Cluster, sql: str) -> list[tuple]:
    with psycopg.connect(cluster.database_url.replace("postgres://", "postgresql://")) as db:
        return db.execute(sql).fetchall()


def _shows(url: str, text: str) -> bool:
    return text in requests.get(url, timeout=HTTP_TIMEOUT).text


def _publish_and_time_it(cluster: Cluster) -> dict[str, float]:
    """Publish from a management command (as the worker's scheduled publishing would),
    and time until each node's own cached listing shows the new title."""
    for node in cluster.nodes:
        requests.get(node.url + "/updates/", timeout=HTTP_TIMEOUT)
        hit = requests.get(node.url + "/updates/", timeout=HTTP_TIMEOUT)
        assert hit.headers.get("X-Vigil-Cache") == "hit", node.name
    manage("shell", "-c", PUBLISH, env=cluster.env)
    published = time.monotonic()
    seen = {}
    for node in cluster.nodes:
        wait_for(lambda node=node: _shows(node.url + "/updates/", NEW_TITLE), node.name, 30)
        seen[node.name] = time.monotonic() - published
    return seen


SESSION_FOR_ADMIN = """
from django.contrib.auth import get_user_model
from django.contrib.sessions.backends.db import SessionStore
user = get_user_model().objects.get(username="admin")
session = SessionStore()
session["_auth_user_id"] = str(user.pk)
session["_auth_user_backend"] = "django.contrib.auth.backends.ModelBackend"
session["_auth_user_hash"] = user.get_session_auth_hash()
session.create()
print("session", session.session_key)
"""


def test_sessions_and_rate_limits_hold_across_nodes(cluster):
    """A session started on one node is known to the other (it is a database row), and
    one address's searches are counted together whichever node answers them."""
    node_a, node_b = cluster.nodes
    key = manage("shell", "-c", SESSION_FOR_ADMIN, env=cluster.env).split()[-1]
    for node in (node_a, node_b):
        answer = requests.get(
            node.url + "/admin/",
            cookies={"sessionid": key},
            allow_redirects=False,
            timeout=HTTP_TIMEOUT,
        )
        # Signed in: the admin asks for the second factor, not for a password.
        assert "/admin/login/" not in answer.headers.get("Location", ""), node.name
    reader = {"X-Forwarded-For": "203.0.113.7"}
    statuses = [
        requests.get(
            node.url + f"/search/?q=court{i}", headers=reader, timeout=HTTP_TIMEOUT
        ).status_code
        for i, node in enumerate([node_a, node_b] * SEARCHES_ALLOWED)
    ]
    assert statuses[:SEARCHES_ALLOWED] == [200] * SEARCHES_ALLOWED
    assert set(statuses[SEARCHES_ALLOWED:]) == {429}, statuses


def test_two_nodes_sign_publish_and_survive_kill_9(cluster, mailbox_nodes):
    mailbox = mailbox_nodes
    stats: Counter = Counter()
    lock = threading.Lock()
    answered: list[str] = []
    addresses = [f"node-signer{i:02d}@example.org" for i in range(SIGNERS)]
    killed = {}
    node_a, node_b = cluster.nodes

    def publisher():
        wait_for(lambda: len(answered) >= 1, "the first confirmation")
        killed["visible_after"] = _publish_and_time_it(cluster)

    def killer():
        wait_for(
            lambda: "visible_after" in killed and len(answered) >= SIGNERS // 3,
            "the publish and a third of the signers",
        )
        cluster.node_kill(node_a)
        with lock:
            killed["answered"] = set(answered)

    sides = [threading.Thread(target=publisher), threading.Thread(target=killer)]
    for side in sides:
        side.start()
    with ThreadPoolExecutor(CLIENTS) as pool:
        futures = []
        for address in addresses:
            # People arrive over 15 s: the publish and the kill fall among them.
            futures.append(
                pool.submit(sign_and_confirm, cluster, mailbox, address, stats, lock, answered)
            )
            time.sleep(ARRIVALS_EVERY)
        for future in futures:
            future.result()
    for side in sides:
        side.join()

    rows = _rows(cluster, "SELECT email, confirmed_at FROM actions_signature")
    per_address = Counter(email for email, _at in rows)
    confirmed = {email for email, at in rows if at is not None}
    print(
        f"\n{SIGNERS} signers through nginx over 2 nodes; node A killed after "
        f"{len(killed['answered'])} confirmations; retried: {dict(stats)}; publish visible "
        f"after {killed['visible_after']} s"
    )
    assert len(killed["answered"]) < SIGNERS, "node A was killed in the middle of the run"
    assert confirmed == set(addresses), "no signature lost"
    assert max(per_address.values()) == 1 and len(rows) == SIGNERS, "none duplicated"
    assert node_a.process.poll() is not None, "node A is dead"
    for _ in range(10):
        page = requests.get(cluster.url + PETITION, timeout=HTTP_TIMEOUT)
        assert page.status_code == 200, "node B answers for both"
    # Everyone who signed, as the top of the petition (never stored) counts them: this
    # site's confirmed signatures and the latest count of the petition elsewhere.
    [(elsewhere,)] = _rows(
        cluster, "SELECT count FROM actions_externalpetitioncount ORDER BY date DESC LIMIT 1"
    )
    assert f"{elsewhere + SIGNERS:,} people have signed" in page.text
    assert max(killed["visible_after"].values()) < 3, killed["visible_after"]
    assert _shows(node_b.url + "/updates/", NEW_TITLE)
    assert _shows(cluster.url + "/updates/", NEW_TITLE), "through nginx"
    # Started again, node A serves the published change too (its cache was emptied).
    cluster.node_start(node_a)
    assert _shows(node_a.url + "/updates/", NEW_TITLE)
