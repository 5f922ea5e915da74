"""manage.py backup / restore: the demo site survives a round trip whole; a damaged archive,
a non-empty database and other bad input are refused with a clear error."""

import hashlib
import io
import json
import os
import re
import tarfile
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import Client

from vigil.backups.crypto import backup_key_parse, stream_decrypt, stream_encrypt
from vigil.testing.commands import manage_run, python_run
from vigil.testing.nodes import postgres_database_temporary

BASE_DIR = Path(__file__).resolve().parents[3]
PAGES = ["/", "/updates/", "/cases/karim-massimov/", "/ru/", "/petition/", "/library/"]
_VOLATILE = re.compile(r'(name="(?:csrfmiddlewaretoken|stamp)" value=")[^"]*"')


def table_counts() -> dict[str, int]:
    """Rows in every table of the default database."""
    counts = {}
    with connection.cursor() as cursor:
        for table in sorted(connection.introspection.table_names()):
            cursor.execute(f"SELECT COUNT(*) FROM {connection.ops.quote_name(table)}")
            counts[table] = cursor.fetchone()[0]
    return counts


def page_text(response) -> list:
    """Status and the <main> of a page, without per-request tokens."""
    html = response.content.decode()
    main = html.split("<main", 1)[-1].split("</main>", 1)[0]
    return [response.status_code, _VOLATILE.sub(r"\1\"", main)]


def archive_plain(archive: Path, key_text: str | None = None) -> bytes:
    """The decrypted .tar.gz inside an archive (the test settings' key by default)."""
    key = backup_key_parse(text=key_text or django_settings.BACKUP_KEY)
    plain = io.BytesIO()
    with open(archive, "rb") as source:
        stream_decrypt(source=source, target=plain, key=key, name=str(archive))
    return plain.getvalue()


def archive_tar(archive: Path, key_text: str | None = None) -> tarfile.TarFile:
    return tarfile.open(fileobj=io.BytesIO(archive_plain(archive, key_text)), mode="r:gz")


def media_digests(root: Path) -> dict[str, str]:
    return {
        p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


@pytest.fixture
def fresh_database(transactional_db, tmp_path):
    """A DATABASE_URL for a new, empty database of the engine the suite runs on."""
    if connection.vendor == "postgresql":
        with postgres_database_temporary(prefix="vigil_restore") as url:
            yield url
    else:
        yield f"sqlite:///{tmp_path / 'restored.sqlite3'}"


@pytest.fixture
def demo_site(database_kept, transactional_db, settings, tmp_path):
    """The demo campaign, committed (pg_dump reads it from another connection), with its
    media in a folder of its own."""
    from vigil.demo.services import demo_load

    settings.MEDIA_ROOT = tmp_path / "media"
    demo_load(var_dir=tmp_path / "var")


def site_env(*, database_url: str, media_root: Path) -> dict:
    """The environment of a command run against the restored site."""
    env = {**os.environ, "DATABASE_URL": database_url, "MEDIA_ROOT": str(media_root)}
    env["DJANGO_SETTINGS_MODULE"] = "vigil.settings.test"
    return env


def test_the_demo_survives_a_backup_and_a_restore(demo_site, fresh_database, settings, tmp_path):
    """Every table's rows, every media file and the pages come back the same, on the
    engine the suite runs on (SQLite's backup API, or pg_dump/pg_restore)."""
    client = Client()
    # Rendered once first, as a running site has: the pages' image renditions (the
    # portrait at the top of every page) are then in the backup, not made after it.
    for path in PAGES:
        client.get(path)
    before_tables = table_counts()
    before_media = media_digests(Path(settings.MEDIA_ROOT))
    assert before_tables["wagtailcore_page"] > 20 and len(before_media) >= 5
    out = io.StringIO()
    call_command("backup", str(tmp_path), stdout=out)
    archive = Path(re.search(r"Backup written: (\S+)", out.getvalue()).group(1))
    before_pages = {path: page_text(client.get(path)) for path in PAGES}
    assert [status for status, _main in before_pages.values()] == [200] * len(PAGES)

    with archive_tar(archive) as tar:
        manifest = json.load(tar.extractfile("manifest.json"))
    assert manifest["database"]["engine"] == connection.vendor
    assert manifest["vigil_version"] == "0.1.0"
    assert "0001_initial" in manifest["migrations"]["ratelimits"]
    assert set(manifest["files"]) == {manifest["database"]["file"]} | {
        f"media/{name}" for name in before_media
    }

    media_restored = tmp_path / "restored-media"
    env = site_env(database_url=fresh_database, media_root=media_restored)
    result = manage_run("restore", str(archive), env=env, timeout=600)
    assert result.returncode == 0, result.stderr
    assert "Restored the backup" in result.stdout

    inspected = python_run(
        "-m", "vigil.backups.tests.inspect_site", fresh_database, str(media_restored), *PAGES,
        env=env, timeout=600,
    )  # fmt: skip
    assert inspected.returncode == 0, inspected.stderr
    after = json.loads(inspected.stdout)
    assert after["tables"] == before_tables
    assert media_digests(media_restored) == before_media
    for path in PAGES:
        assert after["pages"][path] == before_pages[path], path

    # Restoring again over the restored site is refused without --force, done with it.
    again = manage_run("restore", str(archive), env=env, timeout=600)
    assert again.returncode != 0
    assert "The database is not empty" in again.stderr
    forced = manage_run("restore", "--force", str(archive), env=env, timeout=600)
    assert forced.returncode == 0, forced.stderr


@pytest.fixture
def small_archive(database_kept, transactional_db, settings, tmp_path):
    """A backup of the migrations' data and one media file (committed: SQLite's backup
    cannot run inside the test's transaction)."""
    settings.MEDIA_ROOT = tmp_path / "media"
    (tmp_path / "media" / "documents").mkdir(parents=True)
    (tmp_path / "media" / "documents" / "a.txt").write_text("evidence")
    out = io.StringIO()
    (tmp_path / "out").mkdir(mode=0o700)
    call_command("backup", str(tmp_path / "out"), stdout=out)
    return Path(re.search(r"Backup written: (\S+)", out.getvalue()).group(1))


def _rewrite(archive: Path, change, *, key_text: str | None = None) -> Path:
    """A copy of `archive` with `change(name, data) -> data | None` applied to each file,
    encrypted again with `key_text` (the right key by default: an insider's change)."""
    plain = io.BytesIO()
    with archive_tar(archive) as source, tarfile.open(fileobj=plain, mode="w:gz") as out:
        for member in source:
            data = change(member.name, source.extractfile(member).read())
            if data is None:
                continue
            info = tarfile.TarInfo(member.name)
            info.size = len(data)
            out.addfile(info, io.BytesIO(data))
    target = archive.with_name("changed.tar.gz.enc")
    with open(target, "wb") as sealed:
        plain.seek(0)
        key = backup_key_parse(text=key_text or django_settings.BACKUP_KEY)
        stream_encrypt(source=plain, target=sealed, key=key)
    return target


def _restore_error(archive: Path, *args) -> str:
    with pytest.raises(CommandError) as error:
        call_command("restore", str(archive), *args)
    return str(error.value)


def test_a_changed_file_is_refused(small_archive):
    tampered = _rewrite(
        small_archive, lambda name, data: b"forged" if name.endswith("a.txt") else data
    )
    message = _restore_error(tampered, "--force")
    assert "checksum differs" in message and "media/documents/a.txt" in message


def test_a_missing_or_extra_file_is_refused(small_archive):
    missing = _rewrite(small_archive, lambda name, data: None if "a.txt" in name else data)
    assert "files missing: media/documents/a.txt" in _restore_error(missing, "--force")


def test_a_truncated_archive_is_refused(small_archive, tmp_path):
    cut = tmp_path / "cut.tar.gz"
    data = small_archive.read_bytes()
    cut.write_bytes(data[: len(data) // 2])
    assert "failed authentication" in _restore_error(cut, "--force")


def test_a_file_that_is_not_an_archive_is_refused(tmp_path, db):
    bogus = tmp_path / "bogus.tar.gz"
    bogus.write_text("hello")
    assert "is not an encrypted Vigil backup" in _restore_error(bogus)
    assert "does not exist" in _restore_error(tmp_path / "nope.tar.gz")


def test_an_archive_without_a_manifest_is_refused(small_archive):
    bare = _rewrite(small_archive, lambda name, data: None if name == "manifest.json" else data)
    assert "no valid manifest.json" in _restore_error(bare, "--force")


def test_an_archive_from_a_newer_vigil_is_refused(small_archive):
    def newer(name, data):
        if name != "manifest.json":
            return data
        manifest = json.loads(data)
        manifest["migrations"]["core"].append("9999_from_the_future")
        return json.dumps(manifest).encode()

    assert "made by a newer Vigil" in _restore_error(_rewrite(small_archive, newer), "--force")


def test_a_non_empty_database_is_refused(small_archive):
    """The test database holds a site: nothing is replaced without --force."""
    message = _restore_error(small_archive)
    assert "The database is not empty" in message


def test_backup_into_a_missing_folder_is_refused(db, tmp_path):
    with pytest.raises(CommandError, match="is not a folder"):
        call_command("backup", str(tmp_path / "missing"))


def test_a_backup_inside_a_transaction_is_refused_not_hung(db, tmp_path):
    with pytest.raises(CommandError, match="inside a database transaction"):
        call_command("backup", str(tmp_path))
