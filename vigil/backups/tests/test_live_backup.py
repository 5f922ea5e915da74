"""The attack as found, against the production server (`manage.py serve`, granian,
production settings, a SQLite file): an editor signs in, the site is backed up, and the
backup is searched for the editor's session key. Also: the live database file is made
the owner's only when the server starts, and a backup forged with the database and the
manifest changed together is refused by `restore` without touching the site."""

import io
import sqlite3
import stat
import subprocess
import tarfile
from pathlib import Path

import pytest
import requests

from vigil.backups.crypto import (
    KEY_ID_BYTES,
    MAGIC,
    backup_key_generate,
    backup_key_parse,
    backup_key_write,
    stream_decrypt,
)
from vigil.backups.tests.test_backup_security import _forge
from vigil.testing.commands import PYTHON, ROOT
from vigil.testing.forms import form_inputs
from vigil.testing.live_site import HTTP_TIMEOUT, LiveSite
from vigil.testing.mail import Mailbox, smtp_server


@pytest.fixture(scope="module")
def site(site_template, tmp_path_factory):
    """One served copy of the demo site whose database file starts world-readable, as
    `migrate` under umask 022 left it; with a backup key of its own."""
    folder = tmp_path_factory.mktemp("backup-site")
    with smtp_server(Mailbox()) as smtp_port:
        site = LiveSite(site_template, folder / "site", smtp_port=smtp_port)
        site.db_path.chmod(0o644)
        key_file = folder / "backup-key"
        backup_key_write(path=key_file)
        site.env["BACKUP_KEY_FILE"] = str(key_file)
        site.start()
        try:
            yield site
        finally:
            site.stop()


def _sign_in(site: LiveSite, password: str) -> str:
    """Sign in as the demo's admin through the login form; the session cookie's value."""
    session = requests.Session()
    page = session.get(site.url + "/admin/login/", timeout=HTTP_TIMEOUT)
    fields = form_inputs(page.text, "/admin/login/")
    assert fields is not None, page.text[:500]
    fields.update(username="admin", password=password)
    answer = session.post(
        site.url + "/admin/login/",
        data=fields,
        headers={"Referer": site.url + "/admin/login/"},
        timeout=HTTP_TIMEOUT,
        allow_redirects=False,
    )
    assert answer.status_code == 302, answer.text[:500]
    return session.cookies["sessionid"]


@pytest.fixture(scope="module")
def signed_in_backup(site, site_template, tmp_path_factory) -> tuple[Path, str]:
    """An editor signs in, then the site is backed up: (the archive, the session key)."""
    password = (site_template / "admin-password.txt").read_text().strip()
    session_key = _sign_in(site, password)
    folder = tmp_path_factory.mktemp("backups")
    folder.chmod(0o700)
    site.manage("backup", str(folder))
    (archive,) = folder.iterdir()
    return archive, session_key


def test_the_live_database_is_the_owners_only_once_served(site):
    assert stat.S_IMODE(site.db_path.stat().st_mode) == 0o600
    for companion in ("-wal", "-shm"):
        path = Path(str(site.db_path) + companion)
        if path.exists():
            assert stat.S_IMODE(path.stat().st_mode) == 0o600, path


def test_a_signed_in_editors_session_is_not_in_the_backup(site, signed_in_backup, tmp_path):
    archive, session_key = signed_in_backup
    assert site.query(
        "SELECT COUNT(*) FROM django_session WHERE session_key = ?", (session_key,)
    ) == [(1,)]
    assert stat.S_IMODE(archive.stat().st_mode) == 0o600
    raw = archive.read_bytes()
    assert session_key.encode() not in raw and b"SQLite format 3" not in raw

    plain = io.BytesIO()
    key = backup_key_parse(text=Path(site.env["BACKUP_KEY_FILE"]).read_text())
    with archive.open("rb") as source:
        stream_decrypt(source=source, target=plain, key=key, name=archive.name)
    assert session_key.encode() not in plain.getvalue()
    plain.seek(0)
    with tarfile.open(fileobj=plain, mode="r:gz") as tar:
        (tmp_path / "backed-up.sqlite3").write_bytes(tar.extractfile("database.sqlite3").read())
    backed_up = sqlite3.connect(tmp_path / "backed-up.sqlite3")
    try:
        assert backed_up.execute("SELECT COUNT(*) FROM django_session").fetchone() == (0,)
        assert backed_up.execute("SELECT COUNT(*) FROM axes_accesslog").fetchone() == (0,)
        assert backed_up.execute(
            "SELECT COUNT(*) FROM auth_user WHERE username = 'admin'"
        ).fetchone() == (1,)
    finally:
        backed_up.close()


def _restore_refusal(site: LiveSite, archive: Path) -> str:
    """`manage.py restore --force` on the site: which refusal it printed (exit status 1)."""
    result = subprocess.run(
        [PYTHON, "manage.py", "restore", "--force", str(archive)],
        cwd=ROOT, env=site.env, capture_output=True, text=True, timeout=HTTP_TIMEOUT,
    )  # fmt: skip
    assert result.returncode == 1, (result.stdout, result.stderr)
    for refusal in ("encrypted with another key", "failed authentication"):
        if refusal in result.stderr:
            return refusal
    return result.stderr


def test_a_backdoor_forged_into_database_and_manifest_is_not_restored(
    site, signed_in_backup, tmp_path
):
    """The attack as found restored a superuser; now `restore` refuses the archive (exit
    status 1, a clear message) and the served site is unchanged."""
    archive, _session_key = signed_in_backup
    users = site.query("SELECT COUNT(*) FROM auth_user")
    key_text = Path(site.env["BACKUP_KEY_FILE"]).read_text()
    forged = _forge(archive, tmp_path, key_text=backup_key_generate(), read_key_text=key_text)
    assert _restore_refusal(site, forged) == "encrypted with another key"
    # With the real backup's key id copied into the header, as a careful attacker would.
    data = bytearray(forged.read_bytes())
    start = len(MAGIC) + 1
    data[start : start + KEY_ID_BYTES] = archive.read_bytes()[start : start + KEY_ID_BYTES]
    forged.write_bytes(bytes(data))
    assert _restore_refusal(site, forged) == "failed authentication"
    assert site.query("SELECT COUNT(*) FROM auth_user") == users
    assert site.query("SELECT COUNT(*) FROM auth_user WHERE username = 'backdoor'") == [(0,)]
    assert requests.get(site.url + "/", timeout=HTTP_TIMEOUT).status_code == 200
