"""The demo builder: the demo campaign in the test database, and copies to put it back.

The demo campaign takes seconds to build, so the browser tests build it once per
module and copy it aside (`DatabaseCopy`: SQLite's backup API on the in-memory test
database, `COPY` of every table on PostgreSQL); every test starts from that copy,
restored in milliseconds, and `transactional_db` flushes it afterwards as usual.
When the module is done the database is put back as it was before the module,
migrations' data included. The production-server sites build theirs once per run
(`live_site.template_build`).
"""

import contextlib
import sqlite3
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.cache import cache
from django.core.management import call_command
from django.db import connection, transaction
from wagtail.models import Collection, Locale, Page, Site
from wagtail_localize.models import LocaleSynchronization

from vigil.demo.services import demo_load


@dataclass(frozen=True)
class Demo:
    """The demo campaign as served by the live server."""

    url: str
    var_dir: Path  # where its load wrote the admin's password and enrolment link


def _point_site_at(live_server) -> None:
    """Make the default site's host and port the live server's, so absolute URLs work."""
    parts = urlsplit(live_server.url)
    Site.objects.filter(is_default_site=True).update(hostname=parts.hostname, port=parts.port)


def demo_build(live_server, var_dir: Path) -> None:
    """The demo campaign in the test database, its absolute URLs the live server's."""
    demo_load(var_dir=var_dir)  # var_dir: the admin password file stays out of var/
    _point_site_at(live_server)


def migration_data_create() -> None:
    """What the migrations put in an empty database: locales (kept in sync with English),
    the root collection, the root page and the default site."""
    locale, _made = Locale.objects.get_or_create(language_code=settings.LANGUAGE_CODE)
    for code, _name in settings.WAGTAIL_CONTENT_LANGUAGES:
        if code != locale.language_code:
            other, _made = Locale.objects.get_or_create(language_code=code)
            LocaleSynchronization.objects.get_or_create(
                locale=other, defaults={"sync_from": locale}
            )
    if Collection.get_first_root_node() is None:
        Collection.add_root(name="Root")
    if Page.get_first_root_node() is None:
        root = Page.add_root(title="Root", slug="root", locale=locale)
        welcome = root.add_child(
            instance=Page(title="Welcome to your new Wagtail site!", slug="home", locale=locale)
        )
        Site.objects.create(hostname="localhost", port=80, root_page=welcome, is_default_site=True)


class DatabaseCopy:
    """The test database's content at one moment, to be put back later, whole.

    In-memory SQLite (the test settings' default) is copied with SQLite's backup
    API, both ways, in milliseconds. PostgreSQL's tables are copied out with
    `COPY ... TO STDOUT` into memory, with their sequences, and put back by
    emptying every table and copying the rows in again: tens of milliseconds for
    the demo, and exactly what was there (content types with their ids, Wagtail's
    groups and permissions from the migrations), unlike a flush and a rebuild.
    Nothing is kept in the database itself, so `pg_dump` sees only the site.
    Other databases are flushed and rebuilt by `rebuild`.
    """

    def __init__(self, rebuild):
        connection.ensure_connection()
        self._rebuild = rebuild
        self._sqlite = None
        self._postgres = None
        if connection.vendor == "sqlite" and connection.is_in_memory_db():
            self._sqlite = sqlite3.connect(":memory:")
            connection.connection.backup(self._sqlite)
        elif connection.vendor == "postgresql":
            self._postgres = _postgres_copy()

    def restore(self) -> None:
        connection.ensure_connection()
        ContentType.objects.clear_cache()
        cache.clear()
        if self._sqlite is not None:
            self._sqlite.backup(connection.connection)
        elif self._postgres is not None:
            _postgres_restore(self._postgres)
        else:
            call_command("flush", interactive=False, verbosity=0)
            ContentType.objects.clear_cache()
            self._rebuild()
        # Ids in the restored copy may differ from what was cached since it was taken.
        ContentType.objects.clear_cache()
        cache.clear()

    def close(self) -> None:
        if self._sqlite is not None:
            self._sqlite.close()
        self._postgres = None


@contextlib.contextmanager
def database_kept(django_db_blocker):
    """The test database put back whole, as it is now, when the block ends: around tests
    that commit (a live server's, or a restore's), for the database tests after them."""
    with django_db_blocker.unblock():
        before = DatabaseCopy(migration_data_create)
    try:
        yield
    finally:
        with django_db_blocker.unblock():
            before.restore()
        before.close()


@dataclass(frozen=True)
class _PostgresCopy:
    tables: dict[str, bytes]  # every table but django_migrations: its rows, COPY binary
    sequences: dict[str, int | None]  # last_value (None: never used)


def _postgres_tables(cursor) -> list[str]:
    # django_migrations is left alone: nothing a test does changes it.
    return [
        name
        for name in connection.introspection.table_names(cursor, include_views=False)
        if name != "django_migrations"
    ]


def _postgres_copy() -> _PostgresCopy:
    quote = connection.ops.quote_name
    tables = {}
    # One snapshot of every table, as a single transaction sees them.
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
        for name in _postgres_tables(cursor):
            data = bytearray()
            with cursor.copy(f"COPY {quote(name)} TO STDOUT (FORMAT BINARY)") as copy:
                for chunk in copy:
                    data += chunk
            tables[name] = bytes(data)
        cursor.execute(
            "SELECT sequencename, last_value FROM pg_sequences WHERE schemaname = current_schema()"
        )
        sequences = dict(cursor.fetchall())
    return _PostgresCopy(tables=tables, sequences=sequences)


def _postgres_restore(saved: _PostgresCopy) -> None:
    quote = connection.ops.quote_name
    with transaction.atomic(), connection.cursor() as cursor:
        # Django's foreign keys are deferrable: rows may come back in any order.
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")
        current = _postgres_tables(cursor)
        cursor.execute(f"TRUNCATE {', '.join(quote(name) for name in current)}")
        # An empty table's copy is the binary header alone (19 bytes) and a trailer.
        for name, data in saved.tables.items():
            if len(data) > 21:
                with cursor.copy(f"COPY {quote(name)} FROM STDIN (FORMAT BINARY)") as copy:
                    copy.write(data)
        if saved.sequences:
            cursor.execute(
                "SELECT setval(quote_ident(name)::regclass, COALESCE(value, 1), value IS NOT NULL)"
                " FROM unnest(%s::text[], %s::bigint[]) AS saved(name, value)",
                [list(saved.sequences), list(saved.sequences.values())],
            )
