"""scripts/test-postgres.sh: a server named in the environment that cannot be used stops the
run with one clear line and status 2, before any test runs."""

import os
import subprocess
from pathlib import Path

import pytest

from vigil.testing.servers import free_port

BASE_DIR = Path(__file__).resolve().parents[3]
SCRIPT = BASE_DIR / "scripts" / "test-postgres.sh"


def run_script(**environment) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "TEST_DATABASE_URL"}}
    env.update(environment)
    # --collect-only: were the script to go on to pytest, it would only list the tests.
    return subprocess.run(
        [str(SCRIPT), "--collect-only", "-q", "vigil/core/tests/test_views.py"],
        cwd=BASE_DIR, env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip


@pytest.mark.parametrize("variable", ["TEST_DATABASE_URL", "DATABASE_URL"])
def test_a_server_that_does_not_answer_is_named_in_one_line(variable):
    """Nothing listens on the port: the message names the variable, host and port."""
    port = free_port()  # nothing listens there
    result = run_script(**{variable: f"postgres://vigil:secret@127.0.0.1:{port}/vigil"})
    assert result.returncode == 2
    assert result.stderr.startswith(
        f"test-postgres: cannot connect to PostgreSQL at 127.0.0.1:{port} ({variable}):"
    )
    assert "Connection refused" in result.stderr
    assert "secret" not in result.stderr
    assert "test_views.py" not in result.stdout  # pytest never started


def test_a_test_database_url_for_another_engine_is_refused():
    """TEST_DATABASE_URL is only for PostgreSQL; SQLite has its own run."""
    result = run_script(TEST_DATABASE_URL="sqlite:////tmp/vigil-test.sqlite3")
    assert result.returncode == 2
    assert result.stderr == (
        "test-postgres: TEST_DATABASE_URL must be a postgres:// URL "
        "(got a URL for another database).\n"
    )
    assert "test_views.py" not in result.stdout
