"""Security bench part `backup-tampering`: attack a real backup of a throw-away site.

A new SQLite site (production settings, `migrate`, an editor with a live session, a
signer, a rate counter, one media file) is backed up with `manage.py backup`, then:

- the archive's mode, its folder's, and whether the session key, the signer's address
  or any plain text can be read from its bytes;
- what is left in it once decrypted with the key (no session or throttling rows);
- `manage.py restore --force` of each tampered copy: database and manifest changed
  together (a backdoor superuser, checksums updated), sealed with another key and with
  the real key id copied in; one byte flipped; cut short; bytes appended; a wrong key;
  the manifest's database pointing outside the archive; an entry climbing out with
  `..`; an old unencrypted .tar.gz; `backup` with no key in production.

Each must be refused (exit status 1, a clear message) with the site unchanged; then the
genuine archive must restore into an empty database. Target: every refusal, no change.
"""

import io
import json
import os
import sqlite3
import stat
import subprocess
import tarfile
from pathlib import Path

from bench.signing import Report
from vigil.testing.commands import manage, manage_run
from vigil.testing.forgery import members_backdoored

SETUP = """
from django.contrib.auth import get_user_model
from django.contrib.sessions.backends.db import SessionStore
from vigil.ratelimits.models import RateCounter
admin = get_user_model().objects.create_superuser("editor", "editor@example.org", "pw-bench")
session = SessionStore()
session["_auth_user_id"] = str(admin.pk)
session.create()
RateCounter.objects.create(key="ip:203.0.113.9", window_start=1, count=3)
print(session.session_key)
"""


def _crypto():
    # Imported here: it needs Django's settings configured only on its error paths, and
    # the bench's other parts do not use it.
    from vigil.backups import crypto

    return crypto


def _seal(members: dict[str, bytes], target: Path, key: bytes) -> Path:
    plain = io.BytesIO()
    with tarfile.open(fileobj=plain, mode="w:gz") as out:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            out.addfile(info, io.BytesIO(data))
    plain.seek(0)
    with open(target, "wb") as sealed:
        _crypto().stream_encrypt(source=plain, target=sealed, key=key)
    return target


def _members(archive: Path, key: bytes) -> dict[str, bytes]:
    plain = io.BytesIO()
    with open(archive, "rb") as source:
        _crypto().stream_decrypt(source=source, target=plain, key=key, name=archive.name)
    plain.seek(0)
    with tarfile.open(fileobj=plain, mode="r:gz") as tar:
        return {m.name: tar.extractfile(m).read() for m in tar}


def _attacks(archive: Path, key: bytes, tmp: Path) -> list[tuple[str, Path, list[str]]]:
    """(what, tampered archive, extra restore arguments) for every attack."""
    crypto = _crypto()
    real = archive.read_bytes()
    members = _members(archive, key)
    attacker = crypto.backup_key_parse(text=crypto.backup_key_generate())
    attacks = []

    def write(name: str, data: bytes) -> Path:
        (tmp / name).write_bytes(data)
        return tmp / name

    forged = _seal(members_backdoored(members, folder=tmp), tmp / "forged-other-key.enc", attacker)
    attacks.append(("database+manifest forged, sealed with another key", forged, []))
    start, end = len(crypto.MAGIC) + 1, len(crypto.MAGIC) + 1 + crypto.KEY_ID_BYTES
    sealed = forged.read_bytes()
    copied = sealed[:start] + real[start:end] + sealed[end:]
    attacks.append(
        ("database+manifest forged, real key id copied", write("forged-key-id.enc", copied), [])
    )
    flipped = bytearray(real)
    flipped[crypto.HEADER_BYTES + len(real) // 3] ^= 1
    attacks.append(("one byte flipped", write("flipped.enc", bytes(flipped)), []))
    attacks.append(("cut short by 1 byte", write("cut.enc", real[:-1]), []))
    header_only = write("header-only.enc", real[: crypto.HEADER_BYTES])
    attacks.append(("cut after the header", header_only, []))
    attacks.append(("64 bytes appended", write("appended.enc", real + b"\0" * 64), []))
    wrong = tmp / "wrong-key"
    wrong.write_text(crypto.backup_key_generate())
    wrong.chmod(0o600)
    attacks.append(("restored with a wrong key", archive, ["--key-file", str(wrong)]))
    manifest = json.loads(members["manifest.json"])
    manifest["database"]["file"] = "../../../../../../etc/passwd"
    outside = {**members, "manifest.json": json.dumps(manifest).encode()}
    attacks.append(
        (
            "manifest's database outside the archive (real key)",
            _seal(outside, tmp / "outside.enc", key),
            [],
        )
    )
    climbing = {**members, "media/../../escaped.txt": b"hi"}
    attacks.append(
        ("entry climbing out with .. (real key)", _seal(climbing, tmp / "climbing.enc", key), [])
    )
    legacy = io.BytesIO()
    with tarfile.open(fileobj=legacy, mode="w:gz") as out:
        for name, data in members_backdoored(members, folder=tmp).items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            out.addfile(info, io.BytesIO(data))
    attacks.append(
        ("old unencrypted .tar.gz with a backdoor", write("legacy.tar.gz", legacy.getvalue()), [])
    )
    return attacks


def _site_state(db: Path) -> tuple:
    database = sqlite3.connect(db)
    try:
        return (
            database.execute("SELECT username, is_superuser FROM auth_user ORDER BY id").fetchall(),
            database.execute("SELECT COUNT(*) FROM django_session").fetchone()[0],
        )
    finally:
        database.close()


def _restore(env: dict, archive: Path, extra: list[str]) -> subprocess.CompletedProcess:
    return manage_run("restore", "--force", *extra, str(archive), env=env, timeout=600)


def _site_make(tmp: Path) -> tuple[dict, bytes, Path, str]:
    """The throw-away site: (its environment, the backup key, its database, a session key)."""
    site = tmp / "site"
    site.mkdir()
    (site / "media" / "documents").mkdir(parents=True)
    (site / "media" / "documents" / "a.txt").write_text("evidence")
    key_file = tmp / "backup-key"
    key = _crypto().backup_key_write(path=key_file)
    db = site / "db.sqlite3"
    env = {
        **{k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "BACKUP_KEY"}},
        "DJANGO_SETTINGS_MODULE": "bench.settings",
        "BENCH_VAR_DIR": str(site),
        "SECRET_KEY": "bench-" + "x" * 50,
        "ALLOWED_HOSTS": "127.0.0.1",
        "HTTPS": "false",
        "DATABASE_URL": f"sqlite:///{db}",
        "MEDIA_ROOT": str(site / "media"),
        "BACKUP_KEY_FILE": str(key_file),
    }
    print(f"migrate a throw-away site in {site}", flush=True)
    manage("migrate", "--noinput", "-v", "0", env=env)
    session_key = manage("shell", "-c", SETUP, env=env).strip().splitlines()[-1]
    return env, key, db, session_key


def backup_tampering_run(report: Report, tmp: Path) -> None:
    env, key, db, session_key = _site_make(tmp)
    report("site: production settings (bench.settings), SQLite, one editor signed in")
    backups = tmp / "backups"
    backups.mkdir(mode=0o700)
    report(manage("backup", str(backups), env=env).strip())
    (archive,) = backups.iterdir()
    report.check(stat.S_IMODE(archive.stat().st_mode) == 0o600, "archive is mode 0600")
    shared = tmp / "shared"
    shared.mkdir()
    shared.chmod(0o755)
    refused = manage_run("backup", str(shared), env=env)
    report.check(
        refused.returncode == 1 and not list(shared.iterdir()),
        f"backup into a 0755 folder refused: {refused.stderr.strip()[-160:]}",
    )
    _contents_check(report, archive, key, session_key, tmp)
    _attacks_check(report, env, archive, key, db, tmp)


def _contents_check(report: Report, archive: Path, key: bytes, session_key: str, tmp: Path):
    raw = archive.read_bytes()
    report.check(
        session_key.encode() not in raw and b"editor@example.org" not in raw
        and b"SQLite format 3" not in raw and b"manifest.json" not in raw,
        "no session key, address, SQLite header or file name readable in the archive's bytes",
    )  # fmt: skip
    members = _members(archive, key)
    plain = b"".join(members.values())
    report.check(session_key.encode() not in plain, "session key absent even once decrypted")
    (tmp / "inside.sqlite3").write_bytes(members["database.sqlite3"])
    inside = sqlite3.connect(tmp / "inside.sqlite3")
    rows = {
        table: inside.execute(f'SELECT COUNT(*) FROM "{table}"').fetchone()[0]
        for table in ("django_session", "ratelimits_ratecounter", "auth_user")
    }
    inside.close()
    report.check(
        rows["django_session"] == 0 and rows["ratelimits_ratecounter"] == 0 and rows["auth_user"],
        f"rows in the decrypted backup: {rows}",
    )


def _attacks_check(report: Report, env: dict, archive: Path, key: bytes, db: Path, tmp: Path):
    backups = archive.parent
    before = _site_state(db)
    for what, tampered, extra in _attacks(archive, key, tmp):
        result = _restore(env, tampered, extra)
        message = (result.stderr.strip().splitlines() or [""])[-1]
        changed = _site_state(db) != before
        report.check(
            result.returncode == 1 and not changed,
            f"{what}: exit {result.returncode}, site {'CHANGED' if changed else 'unchanged'}"
            f"\n      {message[-220:]}",
        )
    no_key = {**env, "BACKUP_KEY_FILE": ""}
    result = manage_run("backup", str(backups), env=no_key)
    report.check(
        result.returncode == 1 and "No backup key" in result.stderr,
        f"backup without a key in production refused: {result.stderr.strip()[:120]}",
    )
    fresh = {**env, "DATABASE_URL": f"sqlite:///{tmp / 'restored.sqlite3'}"}
    fresh["MEDIA_ROOT"] = str(tmp / "restored-media")
    result = manage_run("restore", str(archive), env=fresh)
    report.check(
        result.returncode == 0 and _site_state(tmp / "restored.sqlite3")[0] == before[0],
        "the genuine archive restores into an empty database (same accounts, no sessions): "
        + (result.stdout.strip() or result.stderr.strip())[-200:],
    )
