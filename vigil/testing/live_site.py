"""The production-server fixture: a throw-away Vigil served by `manage.py serve`.

`manage.py serve` (granian, production settings) runs in its own process group
against a file SQLite database (WAL, IMMEDIATE transactions, as deployed), with a
real SMTP server (aiosmtpd) in the test process. Tests kill it with real signals,
lock or fill its database from outside and look at what is left in the file.

Migrating and loading the demo campaign takes half a minute, so it is done once
per test run (shared by xdist workers through a file lock) and each site starts
from a copy of that database.
"""

import contextlib
import fcntl
import os
import secrets
import shutil
import sqlite3
import subprocess
from pathlib import Path

from vigil.testing.commands import PYTHON, ROOT, demo_site_build, manage, manage_spawn
from vigil.testing.servers import answer_wait, free_port, group_kill, group_stop

SETTINGS_MODULE = "faultsite_settings"
# Generous limits for waiting only: nothing is asserted about how long anything takes.
START_TIMEOUT = 120
HTTP_TIMEOUT = 60

SETTINGS_TEMPLATE = '''"""Production settings for a throw-away fault-test site (live_site.py)."""

from pathlib import Path

from vigil.settings.env import sqlite_database
from vigil.settings.production import *  # noqa: F403

SITE_DIR = Path(__file__).resolve().parent
VAR_DIR = SITE_DIR
PAGE_CACHE_DIR = str(SITE_DIR / "page-cache")
CACHES = {{"default": {{**CACHES["default"], "LOCATION": str(SITE_DIR / "cache")}}}}  # noqa: F405
{static_settings}
DATABASES = {{"default": sqlite_database(SITE_DIR / "db.sqlite3")}}
_options = DATABASES["default"]["OPTIONS"]
_options["timeout"] = {busy_seconds}
_options["init_command"] = (
    _options["init_command"].replace("busy_timeout=20000", "busy_timeout={busy_ms}")
    + {extra_pragmas!r}
)
'''

# Static files straight from the apps: collectstatic would add 20 s to every run.
STATIC_FROM_APPS = """STATIC_ROOT = SITE_DIR / "static"
STORAGES["staticfiles"] = {  # noqa: F405
    "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
}
WHITENOISE_USE_FINDERS = True"""
# Static files as `make run` serves them: collected once, fingerprinted and compressed.
STATIC_COLLECTED = "STATIC_ROOT = Path({static_root!r})"


# -- the site ------------------------------------------------------------------------------


def _write_settings(
    site_dir: Path, *, busy_seconds: float, extra_pragmas: str, static_root: Path | None = None
) -> None:
    static_settings = (
        STATIC_FROM_APPS
        if static_root is None
        else STATIC_COLLECTED.format(static_root=str(static_root))
    )
    (site_dir / f"{SETTINGS_MODULE}.py").write_text(
        SETTINGS_TEMPLATE.format(
            busy_seconds=busy_seconds,
            busy_ms=int(busy_seconds * 1000),
            extra_pragmas=extra_pragmas,
            static_settings=static_settings,
        )
    )
    (site_dir / "static").mkdir(exist_ok=True)


def site_environment(site_dir: Path, *, port: int, smtp_port: int) -> dict:
    env = {
        key: value
        for key, value in os.environ.items()
        # The test run's own database and settings must not leak into the site's.
        if key not in {"DATABASE_URL", "DJANGO_SETTINGS_MODULE", "EMAIL_URL", "PYTHONPATH"}
    }
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": SETTINGS_MODULE,
            "PYTHONPATH": f"{site_dir}{os.pathsep}{ROOT}",
            "SECRET_KEY": secrets.token_urlsafe(50),
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "HTTPS": "false",
            "SERVE_MEDIA": "true",
            "BASE_URL": f"http://127.0.0.1:{port}",
            "MEDIA_ROOT": str(site_dir / "media"),
            "EMAIL_URL": f"smtp://127.0.0.1:{smtp_port}",
            "ACTIONS_FORM_MIN_SECONDS": "0",
            "ACTIONS_RATE_LIMIT": "1000000",
            # The fault tests mail 120-200 people at example.org within a minute or two,
            # past the production ceilings, which have tests of their own (test_outbox,
            # test_attacks_live): at 30 a minute to one domain the kill -9 test waited
            # four minutes for its mail.
            "ACTIONS_MAIL_PER_MINUTE": "1000000",
            "ACTIONS_MAIL_PER_DOMAIN_PER_MINUTE": "1000000",
            "LOG_LEVEL": "WARNING",
            "PYTHONUNBUFFERED": "1",
        }
    )
    return env


def template_build(base: Path) -> Path:
    """The migrated database with the demo campaign, built once into `base/template`."""
    template = base / "faultsite-template"
    with (base / "faultsite-template.lock").open("a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not (template / "ready").exists():
            shutil.rmtree(template, ignore_errors=True)
            template.mkdir(parents=True)
            _write_settings(template, busy_seconds=20, extra_pragmas="")
            env = site_environment(template, port=8000, smtp_port=25)
            demo_site_build(env=env, var_dir=template)
            # One file, no WAL beside it: ready to be copied.
            with contextlib.closing(sqlite3.connect(template / "db.sqlite3")) as db:
                db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
                db.execute("PRAGMA journal_mode=DELETE")
            (template / "ready").touch()
    return template


class LiveSite:
    """One copy of the demo site and the production server serving it."""

    def __init__(
        self,
        template: Path,
        site_dir: Path,
        *,
        smtp_port: int,
        busy_seconds: float = 20,
        extra_pragmas: str = "",
        workers: int = 1,
        static_root: Path | None = None,
    ):
        self.dir = site_dir
        self.dir.mkdir(parents=True, exist_ok=True)
        shutil.copy(template / "db.sqlite3", self.dir / "db.sqlite3")
        _write_settings(
            self.dir,
            busy_seconds=busy_seconds,
            extra_pragmas=extra_pragmas,
            static_root=static_root,
        )
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.env = site_environment(self.dir, port=self.port, smtp_port=smtp_port)
        self.workers = workers
        self.process: subprocess.Popen | None = None
        # `manage.py worker`, beside the server as `make run` starts it (task_worker_start).
        self.task_worker: subprocess.Popen | None = None
        self.log_path = self.dir / "server.log"
        self.starts = 0
        # What `manage.py site_url` does, without starting Django once more.
        self.query(
            "UPDATE wagtailcore_site SET hostname = '127.0.0.1', port = ? WHERE is_default_site",
            (self.port,),
        )

    @property
    def db_path(self) -> Path:
        return self.dir / "db.sqlite3"

    def manage(self, *args: str) -> str:
        return manage(*args, env=self.env)

    def start(self, *, task_worker: bool = True, follow: bool = False) -> None:
        """Start `manage.py serve` in its own process group, and a task worker unless one
        runs (or `task_worker` is False); return once the server answers.

        Without the page-cache follower unless `follow`: a site of one node, with no
        nginx in front, has nothing for it to do (the process that makes a change deletes
        that node's copies itself; the follower is for other nodes' folders, and for the
        files nginx serves), and a Django process less per start is minutes less of
        `make test`. The two-node test (vigil/testing/nodes.py) runs it."""
        self.starts += 1
        with self.log_path.open("ab") as log:
            log.write(f"\n=== start {self.starts} ===\n".encode())
        self.process = manage_spawn(
            *("serve", "--host", "127.0.0.1", "--port", str(self.port)),
            *("--workers", str(self.workers)),
            *(() if follow else ("--no-follow",)),
            env=self.env,
            log=self.log_path,
        )
        if task_worker and (self.task_worker is None or self.task_worker.poll() is not None):
            self.task_worker_start()
        try:
            answer_wait(url=self.url + "/", process=self.process, timeout=START_TIMEOUT)
        except RuntimeError as error:
            raise RuntimeError(f"{error}:\n{self.log}") from None

    def task_worker_start(self) -> None:
        """`manage.py worker`, polling twice a second so that tests wait little for mail."""
        self.task_worker = manage_spawn(
            "worker", "--interval", "0.5", env=self.env, log=self.log_path
        )

    def kill(self) -> None:
        """kill -9 the whole process group: granian's main process and its workers."""
        group_kill(self.process, timeout=HTTP_TIMEOUT)

    def task_worker_kill(self) -> None:
        group_kill(self.task_worker, timeout=HTTP_TIMEOUT)

    def stop(self) -> None:
        if self.process is not None:
            group_stop(self.process)
        if self.task_worker is not None:
            group_stop(self.task_worker)

    def worker_pids(self) -> set[int]:
        """granian's worker processes: the children of the server's main process but its
        page-cache follower (`manage.py page_cache_follow`, started by `serve`)."""
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        return {int(pid) for pid in children.read_text().split() if not _is_follower(int(pid))}

    @property
    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def query(self, sql: str, params=()) -> list[tuple]:
        """Read (or change) the site's database file directly, as a second client would."""
        db = sqlite3.connect(self.db_path, timeout=HTTP_TIMEOUT)
        try:
            with db:  # commits a change
                return db.execute(sql, params).fetchall()
        finally:
            db.close()


def _is_follower(pid: int) -> bool:
    try:
        command = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return False
    return b"page_cache_follow" in command


def run_base(tmp_path_factory) -> Path:
    """Where the demo database template (and collected static files) are built once.

    xdist workers share the run's base directory; a plain run has its own. Setting
    VIGIL_TEST_SITE_CACHE to a folder keeps them between runs while working on tests
    (delete it after changing models, migrations, static files or the demo).
    """
    cache = os.environ.get("VIGIL_TEST_SITE_CACHE")
    if cache:
        Path(cache).mkdir(parents=True, exist_ok=True)
        return Path(cache)
    base = tmp_path_factory.getbasetemp()
    return base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base


def static_collect(base: Path) -> Path:
    """Static files collected once per test run, as `make run` does (manifest, compressed).

    Shared by xdist workers through a file lock, like the demo database template, and by
    every site that serves them (the journeys', the page cache's multi-worker one).
    """
    static_root = base / "collected-static"
    with (base / "collected-static.lock").open("a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not (static_root / "ready").exists():
            shutil.rmtree(static_root, ignore_errors=True)
            settings_dir = base / "collected-static-settings"
            settings_dir.mkdir(exist_ok=True)
            _write_settings(
                settings_dir, busy_seconds=20, extra_pragmas="", static_root=static_root
            )
            env = site_environment(settings_dir, port=8000, smtp_port=25)
            subprocess.run(
                [PYTHON, "manage.py", "collectstatic", "--noinput", "-v", "0"],
                cwd=ROOT,
                env=env,
                check=True,
                capture_output=True,
            )
            (static_root / "ready").touch()
    return static_root
