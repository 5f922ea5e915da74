"""The page cache's files for nginx (store.py, front.py) and the conf nginx_conf prints."""

import email.utils
import os
import subprocess
from pathlib import Path

import pytest
from django.test import override_settings

from vigil.pagecache import store
from vigil.pagecache.front import front_file, front_headers
from vigil.pagecache.nginx import FrontOptions, host_expression, nginx_conf
from vigil.testing.commands import ROOT, manage_run
from vigil.testing.servers import BROTLI_STATIC, nginx_check

# The committed example (deploy/nginx.conf) is this command's output; deploy/README.md
# says how to make one's own.
EXAMPLE = ROOT / "deploy" / "nginx.conf"
EXAMPLE_ENVIRONMENT = {
    "DJANGO_SETTINGS_MODULE": "vigil.settings.production",
    "SECRET_KEY": "example-only",
    "ALLOWED_HOSTS": "free-karim.example,www.free-karim.example",
    "DATABASE_URL": "sqlite://:memory:",
    "PAGE_CACHE_DIR": "/srv/vigil/page-cache",
    "STATIC_ROOT": "/srv/vigil/static",
    "MEDIA_ROOT": "/srv/vigil/media",
    "BEHIND_PROXY": "true",
    "PROXY_COUNT": "1",
    "BACKUP_KEY_FILE": "/etc/vigil/backup-key",
}
EXAMPLE_ARGUMENTS = (
    "nginx_conf",
    "--conf-only",
    *("--app", "127.0.0.1:8000", "--app", "10.8.0.2:8000"),
    *("--tls-cert", "/etc/letsencrypt/live/free-karim.example/fullchain.pem"),
    *("--tls-key", "/etc/letsencrypt/live/free-karim.example/privkey.pem"),
    *("--error-pages", "/srv/vigil/nginx-errors"),
)

PAGE = "<!DOCTYPE html><title>About</title>" + "words " * 400
MODIFIED = "Mon, 07 Dec 2026 10:00:00 GMT"


def _headers(*, language: str = "en", extra=()) -> list[tuple[str, str]]:
    return [
        ("Content-Type", "text/html; charset=utf-8"),
        *front_headers(scheme="http"),
        ("Content-Language", language),
        ("Last-Modified", MODIFIED),
        *extra,
    ]


def test_a_page_nginx_may_serve_is_written_beside_its_entry_and_deleted_with_it(tmp_path):
    url = "http://example.org/about/"
    front = front_file(url=url, headers=_headers())
    assert front == ("http/example.org/about/", "html")
    store.entry_write(tmp_path, "ab" * 32, _headers(), '"e"', PAGE.encode(), 1.0, 2e9, (), front)
    entry = store.entry_read(tmp_path, "ab" * 32, 0)
    plain = tmp_path / "nginx/http/example.org/about/@.html"
    assert plain.read_bytes() == entry.bodies["identity"]
    assert Path(f"{plain}.br").read_bytes() == entry.bodies["br"]
    assert Path(f"{plain}.gz").read_bytes() == entry.bodies["gzip"]
    # nginx sends the file's time as Last-Modified: the app's own.
    assert plain.stat().st_mtime == email.utils.parsedate_to_datetime(MODIFIED).timestamp()
    assert oct(plain.stat().st_mode & 0o777) == "0o644"
    store.entry_delete(tmp_path, "ab" * 32)
    assert not list((tmp_path / "nginx").rglob("*@.*"))
    assert store.entry_keys(tmp_path) == []


def test_expired_entries_are_deleted_by_key_and_clearing_empties_nginxs_folder(tmp_path):
    for key, expires, path in (("aa" * 32, 10.0, "/old/"), ("bb" * 32, 2e9, "/new/")):
        url = f"http://example.org{path}"
        front = front_file(url=url, headers=_headers())
        store.entry_write(tmp_path, key, _headers(), '"e"', b"x", 1.0, expires, (), front)
    assert sorted(store.entry_keys(tmp_path)) == ["aa" * 32, "bb" * 32]
    deleted = store.entries_delete(tmp_path, store.entry_keys(tmp_path), expired_before=100.0)
    assert deleted == ["aa" * 32]
    assert not (tmp_path / "nginx/http/example.org/old/@.html").exists()
    assert (tmp_path / "nginx/http/example.org/new/@.html").exists()
    assert store.entries_clear(tmp_path) == 1
    assert not (tmp_path / "nginx").exists() and store.entry_keys(tmp_path) == []


@pytest.mark.parametrize(
    ("url", "headers"),
    [
        ("http://example.org/ru/about/", _headers()),  # a Russian page says "en"
        ("http://example.org/about/", _headers(extra=[("X-Robots-Tag", "noindex")])),
        ("http://example.org/a/../b/", _headers()),
        ("http://example.org/%D0%B0/", _headers()),
        ("http://Example.org/about/", _headers()),
        ("http://example.org:8000:1/about/", _headers()),
        ("http://example.org/.hidden/", _headers()),
        ("http://example.org/x.pdf", [("Content-Type", "application/pdf"), *_headers()[1:]]),
    ],
)
def test_pages_nginx_could_not_serve_exactly_stay_with_python(url, headers):
    assert front_file(url=url, headers=headers) is None


def test_a_russian_page_and_a_feed_are_served_by_nginx():
    ru = _headers(language="ru")
    assert front_file(url="http://example.org/ru/", headers=ru) == ("http/example.org/ru/", "html")
    feed = [("Content-Type", "application/rss+xml; charset=utf-8"), *_headers()[1:]]
    assert front_file(url="http://example.org/updates/feed/rss/", headers=feed)[1] == "rss"


def test_a_front_on_another_port_files_pages_and_passes_host_with_it():
    """On 80/443 readers' addresses have no port: Host and the files go without one, and a
    port a client writes into Host changes nothing. On another port (a second site on one
    machine, the tests) the app must keep it in every address it writes, and the files
    are found under it."""
    assert host_expression(FrontOptions(listen="80")) == "$host"
    assert host_expression(FrontOptions(listen="0.0.0.0:80")) == "$host"
    tls = {"tls_cert": "/c.pem", "tls_key": "/k.pem"}
    assert host_expression(FrontOptions(tls_listen="443", **tls)) == "$host"
    assert host_expression(FrontOptions(listen="127.0.0.1:8080")) == "$host:$server_port"
    assert host_expression(FrontOptions(tls_listen="8443", **tls)) == "$host:$server_port"
    url = "http://example.org:8080/about/"
    assert front_file(url=url, headers=_headers()) == ("http/example.org:8080/about/", "html")


def test_the_committed_example_is_what_the_command_prints():
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "PYTHONPATH")}
    result = manage_run(*EXAMPLE_ARGUMENTS, env={**env, **EXAMPLE_ENVIRONMENT})
    assert result.returncode == 0, result.stderr
    assert result.stdout == EXAMPLE.read_text(), (
        "deploy/nginx.conf is out of date: regenerate it as vigil/pagecache/tests/test_front.py "
        "EXAMPLE_* say (deploy/README.md)"
    )
    assert "Strict-Transport-Security" in result.stdout  # HTTPS pages, HTTPS headers
    assert "listen 443 ssl http2;" in result.stdout and "return 301 https://" in result.stdout


def test_a_conf_with_tls_and_two_apps_is_accepted_by_nginx(tmp_path):
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1"]
        + ["-subj", "/CN=localhost", "-keyout", str(key), "-out", str(cert)],
        check=True,
        capture_output=True,
    )
    options = FrontOptions(
        apps=("127.0.0.1:8000", "127.0.0.1:8001"),
        listen="127.0.0.1:8080",
        tls_listen="127.0.0.1:8443",
        tls_cert=str(cert),
        tls_key=str(key),
        error_pages=tmp_path / "errors",
    )
    with override_settings(PAGE_CACHE_DIR=str(tmp_path / "cache")):
        conf = nginx_conf(options=options)
    checked = nginx_check(work=tmp_path, server=conf, main=BROTLI_STATIC)
    assert checked.returncode == 0, checked.stderr
    assert "server 127.0.0.1:8001" in conf and "brotli_static on;" in conf
