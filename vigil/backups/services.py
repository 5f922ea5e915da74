"""Back up and restore a whole Vigil site: the database and the media files, in one archive.

An archive is a .tar.gz holding `manifest.json`, the database (`database.sqlite3`, made
with SQLite's online backup API, or `database.pgdump`, pg_dump's custom format) and
every file under MEDIA_ROOT as `media/…`. The manifest lists each file's size and
SHA-256, the Vigil version, the applied migrations and the date; a restore checks all
of it before it touches anything.
"""

import datetime as dt
import functools
import hashlib
import io
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
import tomllib
import zlib
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from django.conf import settings
from django.db import connection, connections
from django.db.migrations.recorder import MigrationRecorder
from django.utils.translation import gettext as _

FORMAT = 1
MANIFEST = "manifest.json"
SQLITE_FILE = "database.sqlite3"
PG_FILE = "database.pgdump"
MEDIA_PREFIX = "media/"
CHUNK = 1024 * 1024


class BackupError(Exception):
    """A backup or restore that cannot be done; the message says why, for the operator."""


@dataclass
class BackupSummary:
    path: Path
    files: int
    size: int


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


def _database_dump(staging: Path, engine: str) -> Path:
    if engine == "sqlite":
        target = staging / SQLITE_FILE
        connection.ensure_connection()
        destination = sqlite3.connect(target)
        try:
            # The online backup API copies a consistent snapshot while the site runs.
            connection.connection.backup(destination)
        finally:
            destination.close()
        return target
    target = staging / PG_FILE
    args, env = _pg_env()
    _run(
        [_pg_tool("pg_dump"), "--format=custom", "--no-owner", "--no-privileges", *args,
         "--file", str(target)],
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


def backup_create(*, directory: Path, now: dt.datetime | None = None) -> BackupSummary:
    """Write a complete backup archive into `directory`; returns where and how big."""
    engine = _engine()
    directory = Path(directory)
    if not directory.is_dir():
        raise BackupError(_("%(dir)s is not a folder.") % {"dir": directory})
    if connection.in_atomic_block:
        # SQLite's backup would wait for ever on the transaction's own lock, and pg_dump
        # would not see what the transaction changed.
        raise BackupError(_("A backup cannot be made inside a database transaction."))
    moment = now or dt.datetime.now(dt.UTC)
    name = f"vigil-backup-{moment:%Y%m%dT%H%M%SZ}.tar.gz"
    target = directory / name
    if target.exists():
        raise BackupError(_("%(path)s already exists.") % {"path": target})
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
        partial = staging / (name + ".partial")
        with tarfile.open(partial, "w:gz") as archive:
            data = json.dumps(manifest, indent=2, sort_keys=True).encode()
            info = tarfile.TarInfo(MANIFEST)
            info.size = len(data)
            info.mtime = int(moment.timestamp())
            archive.addfile(info, io.BytesIO(data))
            for arcname, path in entries:
                archive.add(path, arcname=arcname, recursive=False)
        # Only a finished archive gets its name: a crash leaves no half backup behind.
        os.replace(partial, target)
    return BackupSummary(path=target, files=len(entries), size=target.stat().st_size)


def _safe_name(name: str) -> bool:
    path = PurePosixPath(name)
    return not path.is_absolute() and ".." not in path.parts and name == path.as_posix()


def _archive_read(archive_path: Path, into: Path) -> dict:
    """Extract the archive into `into`, checking every file against the manifest."""
    invalid = _("%(path)s is not a complete Vigil backup: %(why)s")
    try:
        archive = tarfile.open(archive_path, "r:gz")  # noqa: SIM115 - closed by `with` below
    except FileNotFoundError:
        raise BackupError(_("%(path)s does not exist.") % {"path": archive_path}) from None
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


def backup_restore(*, archive: Path, force: bool = False) -> RestoreSummary:
    """Restore an archive into this site's database and MEDIA_ROOT.

    Refuses a damaged or tampered archive (every checksum is checked first), one made by
    a newer Vigil, one for another database engine, and a database or media folder that
    is not empty unless `force` is given (then both are replaced).
    """
    engine = _engine()
    archive = Path(archive)
    with tempfile.TemporaryDirectory(prefix="vigil-restore-") as work_dir:
        work = Path(work_dir)
        # The whole archive is checked before anything is compared or touched.
        manifest = _archive_read(archive, work)
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
        dump = work / database.get("file", "")
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
