"""Can the test suite use the PostgreSQL server at $VIGIL_CHECK_URL? Exit 0, or say why not.

pytest-django connects as this user and creates (and drops) a `test_<name>` database,
so the user needs CREATEDB. Checked once here so that a wrong URL gets one line, not a
traceback from every test worker.
"""

import os
import sys
from urllib.parse import urlsplit

import psycopg

url = os.environ["VIGIL_CHECK_URL"]
name = os.environ.get("VIGIL_CHECK_NAME", "the URL")
parts = urlsplit(url)
where = f"{parts.hostname or 'localhost'}:{parts.port or 5432}"
try:
    with psycopg.connect(url, connect_timeout=10) as connection:
        can_create = connection.execute(
            "SELECT rolcreatedb OR rolsuper FROM pg_roles WHERE rolname = current_user"
        ).fetchone()[0]
except psycopg.Error as error:
    reason = " ".join(str(error).split())
    print(
        f"test-postgres: cannot connect to PostgreSQL at {where} ({name}): {reason}",
        file=sys.stderr,
    )
    sys.exit(2)
if not can_create:
    print(
        f"test-postgres: the user {parts.username!r} of {name} may not create databases; "
        "the tests need CREATEDB (ALTER ROLE ... CREATEDB).",
        file=sys.stderr,
    )
    sys.exit(2)
