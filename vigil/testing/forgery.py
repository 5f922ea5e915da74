"""The backdoor forged into a backup as issue 18 found it, shared by the tests and
bench/security/backup_tampering.py (plain stdlib: the bench imports it without Django)."""

import hashlib
import json
import sqlite3
from pathlib import Path


def members_backdoored(members: dict[str, bytes], *, folder: Path) -> dict[str, bytes]:
    """A copy of an archive's members with a superuser added to the database file and the
    manifest's size and checksum of it updated to match."""
    path = folder / "forged.sqlite3"
    path.write_bytes(members["database.sqlite3"])
    database = sqlite3.connect(path)
    with database:
        database.execute(
            "INSERT INTO auth_user (password, is_superuser, username, first_name, last_name, "
            "email, is_staff, is_active, date_joined) VALUES ('x', 1, 'backdoor', '', '', "
            "'', 1, 1, '2026-01-01')"
        )
    database.close()
    body = path.read_bytes()
    manifest = json.loads(members["manifest.json"])
    manifest["files"]["database.sqlite3"] = {
        "size": len(body),
        "sha256": hashlib.sha256(body).hexdigest(),
    }
    return {**members, "database.sqlite3": body, "manifest.json": json.dumps(manifest).encode()}
