"""A PostgreSQL database for a bench: BENCH_DATABASE_URL, or one made in the local
Debian cluster (started if it is down, and stopped again) and dropped afterwards.
Creating it needs root or sudo. Used by bench.signing and bench.nodes.
"""

import contextlib
import os
import secrets
import subprocess

PG_DATABASE = "vigil_bench"


def _sudo(*command: str, user: str | None = None) -> list[str]:
    if os.geteuid() == 0:
        return ["runuser", "-u", user, "--", *command] if user else list(command)
    return ["sudo", *(["-u", user] if user else []), *command]


@contextlib.contextmanager
def postgres_database():
    """BENCH_DATABASE_URL, or a fresh database in the local cluster, dropped afterwards."""
    if os.environ.get("BENCH_DATABASE_URL"):
        yield os.environ["BENCH_DATABASE_URL"]
        return
    # The first cluster pg_lsclusters lists: "15 main 5432 down postgres ...".
    fields = subprocess.run(
        ["pg_lsclusters", "--no-header"], capture_output=True, text=True, check=True
    ).stdout.split()
    if len(fields) < 4:
        raise RuntimeError("no PostgreSQL cluster found (pg_lsclusters): set BENCH_DATABASE_URL")
    version, cluster, port, status = fields[:4]
    started = status != "online"
    if started:
        subprocess.run(_sudo("pg_ctlcluster", version, cluster, "start"), check=True)

    def psql(sql: str) -> None:
        command = ["psql", "-p", port, "-d", "postgres", "-qAt", "-v", "ON_ERROR_STOP=1", "-c", sql]
        result = subprocess.run(
            _sudo(*command, user="postgres"), cwd="/", capture_output=True, text=True
        )
        if result.returncode:
            raise RuntimeError(f"psql {sql.split(' PASSWORD')[0]!r} failed: {result.stderr}")

    password = secrets.token_hex(16)

    def drop() -> None:
        psql(f"DROP DATABASE IF EXISTS {PG_DATABASE} WITH (FORCE)")
        psql(f"DROP ROLE IF EXISTS {PG_DATABASE}")

    try:
        drop()  # left over by a run that was killed
        psql(f"CREATE ROLE {PG_DATABASE} LOGIN PASSWORD '{password}'")
        psql(f"CREATE DATABASE {PG_DATABASE} OWNER {PG_DATABASE}")
        yield f"postgres://{PG_DATABASE}:{password}@127.0.0.1:{port}/{PG_DATABASE}"
    finally:
        try:
            drop()
        finally:
            if started:
                subprocess.run(_sudo("pg_ctlcluster", version, cluster, "stop"), check=False)
