"""Back up and restore a whole Vigil site: the database and the media files, in one archive.

An archive is a .tar.gz holding `manifest.json`, the database (`database.sqlite3`, made
with SQLite's online backup API, or `database.pgdump`, pg_dump's custom format) and
every file under MEDIA_ROOT as `media/…`. The manifest lists each file's size and
SHA-256, the Vigil version, the applied migrations and the date. The whole .tar.gz is
then encrypted and authenticated with the backup key (crypto.py) and written readable by
its owner only: a restore first checks every byte against the key, then the manifest,
before it touches anything.

Sessions, login throttling, rate counters and cached pages are left out (their tables
are copied empty): a session key read from a backup would open the admin past its second
factor, and none of them is worth restoring.
"""

import datetime as dt
import functools
import hashlib
import io
import json
import os
import shutil
import sqlite3
import stat
import subprocess
import tarfile
import tempfile
import tomllib
import zlib
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from django.apps import apps
from django.conf import settings
from django.db import connection, connections
from django.db.migrations.recorder import MigrationRecorder
from django.utils.translation import gettext as _

from .crypto import BackupKeyError, backup_key_id, backup_key_load, stream_decrypt, stream_encrypt

FORMAT = 2
MANIFEST = "manifest.json"
SQLITE_FILE = "database.sqlite3"
PG_FILE = "database.pgdump"
MEDIA_PREFIX = "media/"
CHUNK = 1024 * 1024
SUFFIX = ".tar.gz.enc"
# Rows that are secret or throw-away: copied as empty tables. A session key opens the
# admin past its second factor; the rest is login throttling, rate counters, cached
# pages and who-is-editing pings, none worth restoring. Queued mail carries live
# confirmation and withdrawal links (and would go out again after a restore); used form
# stamps expire within a day. Background tasks and leases belong to the processes of the
# moment: what a task would do is in the restored rows, and the workers' schedules and
# sweeps pick it up again. Models not installed are skipped.
TRANSIENT_MODELS = (
    "sessions.Session",
    "axes.AccessAttempt",
    "axes.AccessAttemptExpiration",
    "axes.AccessFailureLog",
    "axes.AccessLog",
    "ratelimits.RateCounter",
    "pagecache.CachedPage",
    "pagecache.CachedPageTag",
    "pagecache.Invalidation",
    "wagtailadmin.EditingSession",
    "actions.OutgoingMail",
    "actions.ConsumedStamp",
    "django_tasks_database.DBTaskResult",
    "core.Lease",
)


class BackupError(Exception):
    """A backup or restore that cannot be done; the message says why, for the operator."""


@dataclass
class BackupSummary:
    path: Path
    files: int
    size: int
    key_id: str


@dataclass
class RestoreSummary:
    engine: str
    media_files: int
    created_at: str


def vigil_version() -> str:
    with open(Path(settings.BASE_DIR) / "pyproject.toml", "rb") as file:
        return tomllib.load(file)["project"]["version"]


def _engine() -> str:
    vendor = connection.vendor
    if vendor not in {"sqlite", "postgresql"}:
        raise BackupError(
            _("Backups support SQLite and PostgreSQL, not %(vendor)s.") % {"vendor": vendor}
        )
    return vendor


def _pg_tool(name: str) -> str:
    found = shutil.which(name)
    if found:
        return found
    candidates = sorted(Path("/usr/lib/postgresql").glob(f"*/bin/{name}"))
    if candidates:
        return str(candidates[-1])
    raise BackupError(
        _("%(tool)s was not found. Install the PostgreSQL client (postgresql-client).")
        % {"tool": name}
    )


def _pg_env() -> tuple[list[str], dict]:
    """Connection arguments for pg_dump/pg_restore and the environment holding the password."""
    s = connection.settings_dict
    args = ["--dbname", s["NAME"]]
    if s.get("HOST"):
        args += ["--host", s["HOST"]]
    if s.get("PORT"):
        args += ["--port", str(s["PORT"])]
    if s.get("USER"):
        args += ["--username", s["USER"]]
    env = {**os.environ}
    if s.get("PASSWORD"):
        env["PGPASSWORD"] = s["PASSWORD"]
    return args, env


def _run(command: list[str], env: dict) -> None:
    result = subprocess.run(command, env=env, capture_output=True, text=True)
    if result.returncode != 0:
        raise BackupError(
            _("%(tool)s failed: %(error)s")
            % {"tool": Path(command[0]).name, "error": result.stderr.strip()[-2000:]}
        )


def transient_tables() -> list[str]:
    """The tables of TRANSIENT_MODELS that exist in this site's database."""
    existing = set(connection.introspection.table_names())
    tables = []
    for label in TRANSIENT_MODELS:
        try:
            model = apps.get_model(label)
        except LookupError:
            continue
        if model._meta.db_table in existing:
            tables.append(model._meta.db_table)
    return tables


def _sqlite_transient_clear(path: Path, tables: list[str]) -> None:
    """Empty the transient tables of the copy, and rebuild it so no deleted row is left
    in its free pages."""
    database = sqlite3.connect(path)
    try:
        with database:
            for table in tables:
                database.execute(f'DELETE FROM "{table}"')
        database.execute("VACUUM")
    finally:
        database.close()


def _database_dump(staging: Path, engine: str) -> Path:
    tables = transient_tables()
    if engine == "sqlite":
        target = staging / SQLITE_FILE
        connection.ensure_connection()
        destination = sqlite3.connect(target)
        try:
            # The online backup API copies a consistent snapshot while the site runs.
            connection.connection.backup(destination)
        finally:
            destination.close()
        _sqlite_transient_clear(target, tables)
        return target
    target = staging / PG_FILE
    args, env = _pg_env()
    excluded = [f"--exclude-table-data={table}" for table in tables]
    _run(
        [_pg_tool("pg_dump"), "--format=custom", "--no-owner", "--no-privileges", *excluded,
         *args, "--file", str(target)],
        env,
    )  # fmt: skip
    return target


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as file:
        for chunk in iter(lambda: file.read(CHUNK), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _media_files() -> list[tuple[str, Path]]:
    root = Path(settings.MEDIA_ROOT)
    if not root.is_dir():
        return []
    found = []
    for path in sorted(root.rglob("*")):
        if path.is_file() and not path.is_symlink():
            found.append((MEDIA_PREFIX + path.relative_to(root).as_posix(), path))
    return found


def _migrations() -> dict[str, list[str]]:
    applied: dict[str, list[str]] = {}
    for app, name in MigrationRecorder(connection).applied_migrations():
        applied.setdefault(app, []).append(name)
    return {app: sorted(names) for app, names in sorted(applied.items())}


def _folder_check(directory: Path) -> None:
    if not directory.is_dir():
        raise BackupError(_("%(dir)s is not a folder.") % {"dir": directory})
    mode = directory.stat().st_mode
    if mode & 0o077:
        # Other users could list, replace or (with a careless umask) read the archives.
        raise BackupError(
            _(
                "%(dir)s can be opened by other users (mode %(mode)s): keep backups in a "
                "private folder (chmod 700 %(dir)s)."
            )
            % {"dir": directory, "mode": f"{stat.S_IMODE(mode):04o}"}
        )


def _archive_write(partial: Path, entries: list[tuple[str, Path]], manifest: dict) -> None:
    """The plain .tar.gz: the manifest first, then the database and media files."""
    with tarfile.open(partial, "w:gz") as archive:
        data = json.dumps(manifest, indent=2, sort_keys=True).encode()
        info = tarfile.TarInfo(MANIFEST)
        info.size = len(data)
        info.mtime = int(dt.datetime.fromisoformat(manifest["created_at"]).timestamp())
        archive.addfile(info, io.BytesIO(data))
        for arcname, path in entries:
            archive.add(path, arcname=arcname, recursive=False)


def _private_file_open(path: Path):
    """A new file only its owner can read, whatever the umask."""
    return os.fdopen(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "wb")


def backup_create(
    *, directory: Path, now: dt.datetime | None = None, key_file: Path | None = None
) -> BackupSummary:
    """Write a complete, encrypted backup archive into `directory`; returns where and how big.

    The key comes from `key_file`, else the settings (crypto.backup_key_load); without
    one nothing is written.
    """
    engine = _engine()
    directory = Path(directory)
    _folder_check(directory)
    try:
        key = backup_key_load(key_file=key_file, create=True)
    except BackupKeyError as error:
        raise BackupError(str(error)) from None
    if connection.in_atomic_block:
        # SQLite's backup would wait for ever on the transaction's own lock, and pg_dump
        # would not see what the transaction changed.
        raise BackupError(_("A backup cannot be made inside a database transaction."))
    moment = now or dt.datetime.now(dt.UTC)
    name = f"vigil-backup-{moment:%Y%m%dT%H%M%SZ}{SUFFIX}"
    target = directory / name
    if target.exists():
        raise BackupError(_("%(path)s already exists.") % {"path": target})
    # mkdtemp makes the staging folder 0700: the plain copy never lies open.
    with tempfile.TemporaryDirectory(dir=directory, prefix=".vigil-backup-") as staging_dir:
        staging = Path(staging_dir)
        database = _database_dump(staging, engine)
        entries = [(database.name, database), *_media_files()]
        manifest = {
            "format": FORMAT,
            "vigil_version": vigil_version(),
            "created_at": moment.isoformat(),
            "database": {"engine": engine, "file": database.name},
            "migrations": _migrations(),
            "files": {
                arcname: {"size": path.stat().st_size, "sha256": _sha256(path)}
                for arcname, path in entries
            },
        }
        plain = staging / "archive.tar.gz"
        _archive_write(plain, entries, manifest)
        partial = staging / (name + ".partial")
        with open(plain, "rb") as source, _private_file_open(partial) as sealed:
            stream_encrypt(source=source, target=sealed, key=key)
        # Only a finished archive gets its name: a crash leaves no half backup behind.
        os.replace(partial, target)
    return BackupSummary(
        path=target, files=len(entries), size=target.stat().st_size, key_id=backup_key_id(key=key)
    )


def _safe_name(name: str) -> bool:
    """A name an archive may hold: the manifest, a database file or a file under media/,
    never absolute, never climbing out with `..`."""
    path = PurePosixPath(name)
    return (
        not path.is_absolute()
        and ".." not in path.parts
        and name == path.as_posix()
        and (name in {MANIFEST, SQLITE_FILE, PG_FILE} or name.startswith(MEDIA_PREFIX))
    )


def _archive_decrypt(archive: Path, target: Path, key_file: Path | None) -> None:
    """Decrypt `archive` into `target`; BackupError unless all of it is authentic."""
    try:
        key = backup_key_load(key_file=key_file)
        source = open(archive, "rb")  # noqa: SIM115 - closed by `with` below
    except FileNotFoundError:
        raise BackupError(_("%(path)s does not exist.") % {"path": archive}) from None
    except BackupKeyError as error:
        raise BackupError(str(error)) from None
    with source, _private_file_open(target) as plain:
        try:
            stream_decrypt(source=source, target=plain, key=key, name=str(archive))
        except BackupKeyError as error:
            raise BackupError(str(error)) from None


def _archive_read(plain: Path, into: Path, *, archive_path: Path) -> dict:
    """Extract the authenticated .tar.gz `plain` into `into`, checking every file against
    the manifest; `archive_path` names the backup in messages."""
    invalid = _("%(path)s is not a complete Vigil backup: %(why)s")
    try:
        archive = tarfile.open(plain, "r:gz")  # noqa: SIM115 - closed by `with` below
    except (tarfile.TarError, OSError, EOFError, zlib.error) as error:
        raise BackupError(invalid % {"path": archive_path, "why": error}) from None
    seen: dict[str, dict] = {}
    manifest = None
    try:
        with archive:
            for member in archive:
                if not member.isfile() or not _safe_name(member.name):
                    raise BackupError(
                        invalid
                        % {"path": archive_path, "why": _("unexpected entry %(name)s")
                           % {"name": member.name}}
                    )  # fmt: skip
                source = archive.extractfile(member)
                if member.name == MANIFEST:
                    try:
                        manifest = json.loads(source.read(10 * CHUNK))
                    except ValueError as error:
                        raise BackupError(invalid % {"path": archive_path, "why": error}) from None
                    continue
                target = into / member.name
                target.parent.mkdir(parents=True, exist_ok=True)
                digest = hashlib.sha256()
                size = 0
                with open(target, "wb") as out:
                    for chunk in iter(functools.partial(source.read, CHUNK), b""):
                        digest.update(chunk)
                        size += len(chunk)
                        out.write(chunk)
                seen[member.name] = {"size": size, "sha256": digest.hexdigest()}
    except (tarfile.TarError, OSError, EOFError, zlib.error) as error:
        raise BackupError(invalid % {"path": archive_path, "why": error}) from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise BackupError(invalid % {"path": archive_path, "why": _("no valid manifest.json")})
    listed = manifest.get("files") or {}
    missing = sorted(set(listed) - set(seen))
    extra = sorted(set(seen) - set(listed))
    changed = sorted(name for name in set(listed) & set(seen) if listed[name] != seen[name])
    for problem, names in (
        (_("files missing"), missing),
        (_("files not in the manifest"), extra),
        (_("files changed since the backup (checksum differs)"), changed),
    ):
        if names:
            why = f"{problem}: {', '.join(names[:10])}"
            raise BackupError(invalid % {"path": archive_path, "why": why})
    database = manifest.get("database") or {}
    if database.get("file") not in {SQLITE_FILE, PG_FILE} or database["file"] not in seen:
        # The manifest names the one file restored as the database: only one of ours.
        why = _("the manifest's database file %(file)s is not in the archive") % {
            "file": database.get("file")
        }
        raise BackupError(invalid % {"path": archive_path, "why": why})
    return manifest


def _unknown_migrations(manifest: dict) -> list[str]:
    """Migrations the backup has that this Vigil's code does not: a newer Vigil made it."""
    from django.db.migrations.loader import MigrationLoader

    known = set(MigrationLoader(None, ignore_no_migrations=True).disk_migrations)
    return sorted(
        f"{app}.{name}"
        for app, names in (manifest.get("migrations") or {}).items()
        for name in names
        if (app, name) not in known
    )


def database_is_empty() -> bool:
    return not connection.introspection.table_names()


def _media_is_empty() -> bool:
    return not _media_files()


def _database_clear(engine: str) -> None:
    with connection.cursor() as cursor:
        if engine == "postgresql":
            cursor.execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public;")


def backup_restore(
    *, archive: Path, force: bool = False, key_file: Path | None = None
) -> RestoreSummary:
    """Restore an archive into this site's database and MEDIA_ROOT.

    Refuses an archive that fails authentication with the backup key (changed, cut
    short, forged or made with another key), a damaged one (every checksum is checked
    first), one made by a newer Vigil, one for another database engine, and a database
    or media folder that is not empty unless `force` is given (then both are replaced).
    """
    engine = _engine()
    archive = Path(archive)
    with tempfile.TemporaryDirectory(prefix="vigil-restore-") as work_dir:
        plain = Path(work_dir) / "archive.tar.gz"
        work = Path(work_dir) / "files"
        work.mkdir()
        # The whole archive is authenticated, then checked, before anything is touched.
        _archive_decrypt(archive, plain, key_file)
        manifest = _archive_read(plain, work, archive_path=archive)
        if not force and not database_is_empty():
            raise BackupError(
                _(
                    "The database is not empty. Restore into a new, empty database, or add "
                    "--force to replace everything in it."
                )
            )
        if not force and not _media_is_empty():
            raise BackupError(
                _("%(dir)s is not empty. Restore into an empty folder, or add --force.")
                % {"dir": settings.MEDIA_ROOT}
            )
        database = manifest.get("database") or {}
        if database.get("engine") != engine:
            raise BackupError(
                _("This backup is of a %(theirs)s database; this site uses %(ours)s.")
                % {"theirs": database.get("engine"), "ours": engine}
            )
        unknown = _unknown_migrations(manifest)
        if unknown:
            raise BackupError(
                _("This backup was made by a newer Vigil (unknown migrations: %(names)s).")
                % {"names": ", ".join(unknown[:5])}
            )
        dump = work / database["file"]
        if engine == "sqlite":
            source = sqlite3.connect(dump)
            try:
                connection.ensure_connection()
                source.backup(connection.connection)
            finally:
                source.close()
        else:
            if force:
                _database_clear(engine)
            connections.close_all()
            args, env = _pg_env()
            _run(
                [_pg_tool("pg_restore"), "--no-owner", "--no-privileges", "--exit-on-error",
                 *args, str(dump)],
                env,
            )  # fmt: skip
        media_root = Path(settings.MEDIA_ROOT)
        media_files = 0
        media_source = work / MEDIA_PREFIX.rstrip("/")
        if media_source.is_dir():
            for path in sorted(media_source.rglob("*")):
                if path.is_file():
                    target = media_root / path.relative_to(media_source)
                    target.parent.mkdir(parents=True, exist_ok=True)
                    shutil.copyfile(path, target)
                    media_files += 1
    return RestoreSummary(
        engine=engine, media_files=media_files, created_at=manifest.get("created_at", "")
    )
