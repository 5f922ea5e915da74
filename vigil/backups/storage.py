"""The live SQLite database is readable by its owner only."""

import stat
from pathlib import Path

from django.db import connection

# SQLite creates its journal, WAL and shared-memory files with the database file's mode.
_COMPANIONS = ("", "-wal", "-shm", "-journal")


def sqlite_files_private() -> list[Path]:
    """chmod 600 the SQLite database file and its companions where others could read them;
    returns the files changed. Nothing to do on PostgreSQL or an in-memory database.

    The file holds every signer's and subscriber's address, live sessions and the
    editors' second factors; `migrate` creates it with the umask's mode (often 0644).
    """
    if connection.vendor != "sqlite":
        return []
    name = str(connection.settings_dict["NAME"])
    if not name or name == ":memory:" or name.startswith("file:"):
        return []
    changed = []
    for suffix in _COMPANIONS:
        path = Path(name + suffix)
        # A companion comes and goes with the connections of other processes (the
        # worker's last close deletes -wal and -shm): gone between the two calls is fine.
        try:
            mode = stat.S_IMODE(path.stat().st_mode)
            if mode & 0o077:
                path.chmod(mode & 0o700)
                changed.append(path)
        except FileNotFoundError:
            continue
    return changed
