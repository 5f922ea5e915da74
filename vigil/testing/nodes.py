"""Several app nodes on one PostgreSQL, a task worker, and nginx balancing the nodes.

`Cluster` loads the demo campaign into an empty PostgreSQL database (for a test, one
that `postgres_database_temporary` makes on the PostgreSQL pass's server) and starts,
each in its own process group: N `manage.py serve` nodes, each with its own page-cache
folder (and the follower `serve` starts beside it), one `manage.py worker`, and Debian's
nginx with the project's front (`manage.py nginx_conf`) balancing the nodes and serving
node A's cached pages from disk. Media files are one shared folder, as a deployment
shares them (object storage or NFS).
"""

import contextlib
import secrets
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import psycopg
import psycopg.errors
from django.conf import settings

from vigil.testing.commands import demo_site_build, manage, manage_spawn
from vigil.testing.live_site import START_TIMEOUT, site_environment
from vigil.testing.servers import (
    BROTLI_STATIC,
    answer_wait,
    free_port,
    group_kill,
    group_stop,
    nginx_start,
)

SETTINGS_MODULE = "nodes_settings"
SETTINGS_TEMPLATE = '''"""Production settings for a node of a throw-away cluster."""

from pathlib import Path

from vigil.settings.production import *  # noqa: F403

SITE_DIR = Path(__file__).resolve().parent
VAR_DIR = SITE_DIR
CACHES = {{"default": {{**CACHES["default"], "LOCATION": str(SITE_DIR / "cache")}}}}  # noqa: F405
STATIC_ROOT = Path({static_root!r})
'''


@contextlib.contextmanager
def postgres_database_temporary(*, prefix: str = "vigil_nodes") -> Iterator[str]:
    """A new database on the server the test run's own database is on (the PostgreSQL
    pass's), as a URL; dropped afterwards, whoever is still connected."""
    db = settings.DATABASES["default"]
    server = {
        "user": db["USER"],
        "password": db["PASSWORD"],
        "host": db["HOST"] or "127.0.0.1",
        "port": db["PORT"] or 5432,
    }
    name = f"{prefix}_{secrets.token_hex(4)}"
    with psycopg.connect(dbname="postgres", autocommit=True, **server) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
        try:
            yield (
                f"postgres://{server['user']}:{server['password']}@{server['host']}:"
                f"{server['port']}/{name}"
            )
        finally:
            postgres_database_drop(admin, name=name)


def postgres_database_drop(admin: psycopg.Connection, *, name: str) -> None:
    """Drop a test database whoever is still connected. Not `WITH (FORCE)`: that refuses
    when an autovacuum worker is in the database (it belongs to no role we are a member
    of), while a plain DROP stops autovacuum by itself; our own leftover connections are
    ended first, and a connection that races in is waited out."""
    for _ in range(50):
        admin.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
            " WHERE datname = %s AND usename = current_user AND pid <> pg_backend_pid()",
            [name],
        )
        try:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
            return
        except psycopg.errors.ObjectInUse:
            time.sleep(0.2)
    raise RuntimeError(f"database {name} stayed in use")


@dataclass
class Node:
    name: str
    port: int
    env: dict
    cache_dir: Path
    process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"


@dataclass
class Cluster:
    work: Path
    # An empty PostgreSQL database the cluster fills (postgres_database_temporary).
    database_url: str
    smtp_port: int
    static_root: Path
    size: int = 2
    # Settings every node and the worker get on top of the production ones.
    extra_env: dict = field(default_factory=dict)
    nodes: list[Node] = field(default_factory=list)
    worker: subprocess.Popen | None = None
    nginx: subprocess.Popen | None = None
    nginx_port: int = field(default_factory=free_port)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.nginx_port}"

    def build(self) -> None:
        """The database, with the demo loaded and the site's address set to nginx's."""
        (self.work / f"{SETTINGS_MODULE}.py").write_text(
            SETTINGS_TEMPLATE.format(static_root=str(self.static_root))
        )
        self.env = self._env(port=self.nginx_port, cache_dir=self.work / "page-cache-build")
        demo_site_build(env=self.env, var_dir=self.work, base_url=self.url)
        for index in range(self.size):
            port = free_port()
            name = f"node-{chr(ord('a') + index)}"
            cache_dir = self.work / name / "page-cache"
            self.nodes.append(
                Node(
                    name=name,
                    port=port,
                    env=self._env(port=port, cache_dir=cache_dir),
                    cache_dir=cache_dir,
                )
            )

    def _env(self, *, port: int, cache_dir: Path) -> dict:
        # One environment for all: the nodes share SECRET_KEY (a form signed by one node
        # is posted to another) as they share the database.
        if not hasattr(self, "_shared_env"):
            self._shared_env = site_environment(self.work, port=port, smtp_port=self.smtp_port)
        env = dict(self._shared_env)
        env.update(
            {
                "DJANGO_SETTINGS_MODULE": SETTINGS_MODULE,
                "DATABASE_URL": self.database_url,
                "PAGE_CACHE_DIR": str(cache_dir),
                "MEDIA_ROOT": str(self.work / "media"),
                # Every node answers for the address readers use: nginx's.
                "BASE_URL": self.url,
                "BEHIND_PROXY": "true",
                "PROXY_COUNT": "1",
                **self.extra_env,
            }
        )
        return env

    def start(self) -> None:
        for node in self.nodes:
            self.node_start(node)
        self.worker = self._spawn(["worker", "--interval", "0.2"], self.env, "worker")
        # The project's front (manage.py nginx_conf), balancing both nodes and serving
        # node A's cached pages from its folder, as on the deployment's first machine
        # (deploy/README.md). Limits per address raised: every signer here is 127.0.0.1.
        conf = manage(
            "nginx_conf",
            *("--listen", f"127.0.0.1:{self.nginx_port}", "--server-name", "127.0.0.1"),
            *(argument for node in self.nodes for argument in ("--app", f"127.0.0.1:{node.port}")),
            *("--error-pages", str(self._folder("nginx-errors"))),
            *("--rate", "1000r/s", "--burst", "1000"),
            *("--post-rate", "6000r/m", "--post-burst", "500"),
            env=self.nodes[0].env,
        )
        self.nginx = nginx_start(
            work=self._folder("nginx"), port=self.nginx_port, server=conf, main=BROTLI_STATIC
        )

    def node_start(self, node: Node) -> None:
        node.process = self._spawn(
            ["serve", "--host", "127.0.0.1", "--port", str(node.port)], node.env, node.name
        )
        answer_wait(url=node.url + "/", process=node.process, timeout=START_TIMEOUT)

    def node_kill(self, node: Node) -> None:
        """kill -9 of the node's whole process group: granian and the follower."""
        group_kill(node.process)

    def _folder(self, name: str) -> Path:
        folder = self.work / name
        folder.mkdir(parents=True, exist_ok=True)
        return folder

    def _spawn(self, arguments: list[str], env: dict, name: str) -> subprocess.Popen:
        return manage_spawn(*arguments, env=env, log=self._folder(name) / "log")

    def log(self, name: str) -> str:
        path = self.work / name / "log"
        return path.read_text(errors="replace") if path.exists() else ""

    def stop(self) -> None:
        for process in [self.nginx, self.worker, *(node.process for node in self.nodes)]:
            if process is not None:
                group_stop(process)
