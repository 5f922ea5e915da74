"""What an attacker who gets hold of a backup file, or can write one where the operator
will restore from, could do with it: read a live session key out of it, restore a
forged superuser by changing the database and the manifest together, point the manifest
outside the archive, or use another key. Each is refused; archives are 0600."""

import io
import json
import re
import sqlite3
import stat
import subprocess
import tarfile
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.contrib.auth import get_user_model
from django.contrib.sessions.backends.db import SessionStore
from django.core.management import CommandError, call_command
from django.db import connection

from vigil.backups.crypto import (
    HEADER_BYTES,
    KEY_ID_BYTES,
    MAGIC,
    backup_key_generate,
    backup_key_parse,
    stream_encrypt,
)
from vigil.backups.services import transient_tables
from vigil.backups.storage import sqlite_files_private
from vigil.backups.tests.test_backups import BASE_DIR, _rewrite, archive_plain, archive_tar
from vigil.testing.forgery import members_backdoored


@pytest.fixture
def secrets_archive(database_kept, transactional_db, settings, tmp_path):
    """A backup of a site with a live admin session, login throttling, a rate counter, a
    queued confirmation mail and one media file; returns (archive, session key)."""
    from axes.models import AccessAttempt
    from django.utils import timezone

    from vigil.actions.services.outbox import outbox_add
    from vigil.ratelimits.models import RateCounter

    settings.MEDIA_ROOT = tmp_path / "media"
    (tmp_path / "media" / "documents").mkdir(parents=True)
    (tmp_path / "media" / "documents" / "a.txt").write_text("evidence")
    admin = get_user_model().objects.create_superuser("editor", "editor@example.org", "pw")
    session = SessionStore()
    session["_auth_user_id"] = str(admin.pk)
    session.create()
    RateCounter.objects.create(key="ip:203.0.113.9", window_start=1, count=3)
    AccessAttempt.objects.create(
        username="editor", ip_address="203.0.113.9", user_agent="x", http_accept="*/*",
        path_info="/admin/login/", attempt_time=timezone.now(), get_data="", post_data="",
        failures_since_start=2,
    )  # fmt: skip
    outbox_add(
        to="signer@example.net", subject="Confirm", purpose="signature-confirm",
        text="https://vigil.example/confirm/SECRET-TOKEN-123/",
    )  # fmt: skip
    out = io.StringIO()
    (tmp_path / "out").mkdir(mode=0o700)
    call_command("backup", str(tmp_path / "out"), stdout=out)
    archive = Path(re.search(r"Backup written: (\S+)", out.getvalue()).group(1))
    return archive, session.session_key


def _restore_error(archive: Path, *args) -> str:
    with pytest.raises(CommandError) as error:
        call_command("restore", str(archive), *args)
    return str(error.value)


def _database_of(archive: Path, tmp_path: Path) -> sqlite3.Connection:
    with archive_tar(archive) as tar:
        manifest = json.load(tar.extractfile("manifest.json"))
        path = tmp_path / "backed-up.sqlite3"
        path.write_bytes(tar.extractfile(manifest["database"]["file"]).read())
    return sqlite3.connect(path)


def test_a_session_key_cannot_be_read_from_a_backup(secrets_archive, tmp_path):
    """The attack as found: the session key of a signed-in editor, read from the backup,
    opened /admin/. Now the file is ciphertext, and even decrypted it has no session,
    throttling or rate-counter rows; the people and accounts are all there."""
    archive, session_key = secrets_archive
    raw = archive.read_bytes()
    assert raw.startswith(MAGIC)
    assert session_key.encode() not in raw and b"SQLite format 3" not in raw
    assert b"manifest.json" not in raw and b"editor@example.org" not in raw
    plain = archive_plain(archive)
    assert session_key.encode() not in plain
    assert b"SECRET-TOKEN-123" not in plain and b"signer@example.net" not in plain
    if django_settings.DATABASES["default"]["ENGINE"].endswith("sqlite3"):
        database = _database_of(archive, tmp_path)
        for table in transient_tables():
            assert database.execute(f'SELECT COUNT(*) FROM "{table}"').fetchone() == (0,), table
        assert database.execute("SELECT username FROM auth_user").fetchall() == [("editor",)]
        database.close()
    assert {
        "django_session", "axes_accessattempt", "ratelimits_ratecounter",
        "actions_outgoingmail", "actions_consumedstamp",
    } <= set(transient_tables())  # fmt: skip


def test_the_archive_is_the_owners_only(secrets_archive, tmp_path):
    archive, _key = secrets_archive
    assert stat.S_IMODE(archive.stat().st_mode) == 0o600
    assert stat.S_IMODE(archive.parent.stat().st_mode) == 0o700
    assert [p.name for p in archive.parent.iterdir()] == [archive.name]  # no plain copy left
    shared = tmp_path / "shared"
    shared.mkdir(mode=0o755)
    shared.chmod(0o755)
    with pytest.raises(CommandError, match=r"can be opened by other users \(mode 0755\)"):
        call_command("backup", str(shared))
    assert list(shared.iterdir()) == []


def _forge(
    archive: Path, tmp_path: Path, *, key_text: str, read_key_text: str | None = None
) -> Path:
    """The attack as found: a superuser added to the database file and the manifest's size
    and checksum of it updated to match, sealed with `key_text`. (The attacker is given
    the plain contents, as an older unencrypted backup would have given them.)"""
    with archive_tar(archive, read_key_text) as tar:
        members = {m.name: tar.extractfile(m).read() for m in tar}
    members = members_backdoored(members, folder=tmp_path)
    return _seal(members, tmp_path / "forged.tar.gz.enc", key_text=key_text)


def _seal(members: dict[str, bytes], target: Path, *, key_text: str) -> Path:
    plain = io.BytesIO()
    with tarfile.open(fileobj=plain, mode="w:gz") as out:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            out.addfile(info, io.BytesIO(data))
    plain.seek(0)
    with open(target, "wb") as sealed:
        stream_encrypt(source=plain, target=sealed, key=backup_key_parse(text=key_text))
    return target


def _nothing_changed(users: int, settings) -> None:
    assert get_user_model().objects.count() == users
    assert not get_user_model().objects.filter(username="backdoor").exists()
    assert (Path(settings.MEDIA_ROOT) / "documents" / "a.txt").read_text() == "evidence"


# The forged row is written into the backup's SQLite file.
@pytest.mark.sqlite_only
def test_database_and_manifest_changed_together_are_refused(secrets_archive, settings, tmp_path):
    archive, _key = secrets_archive
    users = get_user_model().objects.count()
    # Sealed with the attacker's own key: refused as another key's archive.
    forged = _forge(archive, tmp_path, key_text=backup_key_generate())
    assert "encrypted with another key" in _restore_error(forged, "--force")
    # The same, with the header's key id copied from a real backup: authentication fails.
    data = bytearray(forged.read_bytes())
    start = len(MAGIC) + 1
    data[start : start + KEY_ID_BYTES] = archive.read_bytes()[start : start + KEY_ID_BYTES]
    forged.write_bytes(bytes(data))
    assert "failed authentication" in _restore_error(forged, "--force")
    _nothing_changed(users, settings)


def test_a_changed_appended_or_cut_archive_is_refused(secrets_archive, settings, tmp_path):
    archive, _key = secrets_archive
    users = get_user_model().objects.count()
    real = archive.read_bytes()
    changed = tmp_path / "changed.tar.gz.enc"
    flipped = bytearray(real)
    flipped[HEADER_BYTES + 100] ^= 1
    for data in (bytes(flipped), real + b"\0" * 64, real[:-1], real[:HEADER_BYTES]):
        changed.write_bytes(data)
        assert "failed authentication" in _restore_error(changed, "--force")
    _nothing_changed(users, settings)


def test_a_wrong_key_is_refused(secrets_archive, tmp_path):
    archive, _key = secrets_archive
    other = tmp_path / "other-key"
    other.write_text(backup_key_generate())
    other.chmod(0o600)
    message = _restore_error(archive, "--force", "--key-file", str(other))
    assert "encrypted with another key" in message
    other.chmod(0o644)
    message = _restore_error(archive, "--force", "--key-file", str(other))
    assert "can be read by other users" in message


def test_a_manifest_pointing_outside_the_archive_is_refused(secrets_archive, settings, tmp_path):
    """Even sealed with the right key (a bug, or an insider): the manifest's database file
    must be one of the archive's own, and no entry may climb out with `..`."""
    archive, _key = secrets_archive
    outside = tmp_path / "outside.sqlite3"
    outside.write_bytes(b"")
    users = get_user_model().objects.count()

    def traversal(name, data):
        if name != "manifest.json":
            return data
        manifest = json.loads(data)
        manifest["database"]["file"] = f"../../../../../../..{outside}"
        return json.dumps(manifest).encode()

    message = _restore_error(_rewrite(archive, traversal), "--force")
    assert "is not in the archive" in message

    plain = io.BytesIO()
    with archive_tar(archive) as source, tarfile.open(fileobj=plain, mode="w:gz") as out:
        for member in source:
            out.addfile(member, source.extractfile(member))
        info = tarfile.TarInfo("media/../../escaped.txt")
        info.size = 2
        out.addfile(info, io.BytesIO(b"hi"))
    climbing = tmp_path / "climbing.tar.gz.enc"
    with open(climbing, "wb") as sealed:
        plain.seek(0)
        stream_encrypt(source=plain, target=sealed, key=backup_key_parse(text=settings.BACKUP_KEY))
    assert "unexpected entry media/../../escaped.txt" in _restore_error(climbing, "--force")
    assert not (tmp_path / "escaped.txt").exists()
    _nothing_changed(users, settings)


def test_no_key_no_backup_in_production_and_a_private_key_file_elsewhere(db, settings, tmp_path):
    private = tmp_path / "private"
    private.mkdir(mode=0o700)
    settings.BACKUP_KEY = ""
    settings.BACKUP_KEY_FILE = ""
    settings.BACKUP_KEY_CREATE = False
    with pytest.raises(CommandError, match="No backup key: set BACKUP_KEY_FILE"):
        call_command("backup", str(private))
    assert list(private.iterdir()) == []
    # Outside production the first backup makes the key file, 0600 in a 0700 folder.
    settings.BACKUP_KEY_FILE = tmp_path / "var" / "backup-key"
    settings.BACKUP_KEY_CREATE = True
    with pytest.raises(CommandError, match="inside a database transaction"):
        call_command("backup", str(private))
    assert stat.S_IMODE(settings.BACKUP_KEY_FILE.stat().st_mode) == 0o600
    assert stat.S_IMODE(settings.BACKUP_KEY_FILE.parent.stat().st_mode) == 0o700
    assert len(backup_key_parse(text=settings.BACKUP_KEY_FILE.read_text())) == 32


def test_make_run_keeps_var_and_its_keys_private(tmp_path):
    """scripts/var-private.sh, which make run calls first: an older, readable var/ and
    database are made private, and the keys are made 0600."""
    var = tmp_path / "var"
    var.mkdir(mode=0o755)
    var.chmod(0o755)
    (var / "vigil.sqlite3").write_bytes(b"")
    (var / "vigil.sqlite3").chmod(0o644)
    result = subprocess.run(
        ["scripts/var-private.sh", str(var)], cwd=BASE_DIR, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    modes = {p.name: stat.S_IMODE(p.stat().st_mode) for p in var.iterdir()}
    assert stat.S_IMODE(var.stat().st_mode) == 0o700
    assert modes == {"vigil.sqlite3": 0o600, "secret-key": 0o600, "backup-key": 0o600}
    assert len(backup_key_parse(text=(var / "backup-key").read_text())) == 32
    key = (var / "backup-key").read_text()
    subprocess.run(["scripts/var-private.sh", str(var)], cwd=BASE_DIR, check=True)
    assert (var / "backup-key").read_text() == key  # never replaced


@pytest.mark.sqlite_only
def test_serve_makes_the_database_private_while_a_worker_comes_and_goes(tmp_path, monkeypatch):
    """serve's start-up check (storage.py): the worker's last connection deletes -wal and
    -shm whenever it closes, so one may vanish between being found and its chmod; the
    others are still made private and serve starts (a journey's restart once died here)."""
    database = tmp_path / "db.sqlite3"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{database}{suffix}").write_bytes(b"")
        Path(f"{database}{suffix}").chmod(0o644)
    monkeypatch.setitem(connection.settings_dict, "NAME", str(database))
    chmod = Path.chmod

    def vanishing(path, mode):
        if path.name.endswith("-wal"):
            path.unlink()  # the worker closed its last connection just now
            raise FileNotFoundError(path)
        chmod(path, mode)

    monkeypatch.setattr(Path, "chmod", vanishing)
    changed = sqlite_files_private()
    assert [p.name for p in changed] == ["db.sqlite3", "db.sqlite3-shm"]
    assert stat.S_IMODE(database.stat().st_mode) == 0o600
