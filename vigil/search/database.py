"""The search backend for SQLite and other databases but PostgreSQL (settings name this
module there; PostgreSQL gets vigil/search/backends.py): Wagtail's database backend, with
every match ranked in one pass where SQLite has its full-text index (vigil/search/sqlite.py).
"""

from django.db import connection
from modelsearch.backends import database


def SearchBackend(params):  # noqa: N802 - the name Wagtail looks for in a backend module
    """Vigil's ranking where SQLite has its full-text index (FTS5), else Wagtail's choice."""
    backend = database.SearchBackend(params)
    if connection.vendor == "sqlite":
        from modelsearch.backends.database.sqlite.sqlite import SQLiteSearchBackend

        from .sqlite import RankedOnceSearchBackend  # SQLite only: loads its FTS backend

        if isinstance(backend, SQLiteSearchBackend):
            return RankedOnceSearchBackend(params)
    return backend
