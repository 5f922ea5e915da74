import os
import subprocess
import sys
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parents[3]


def _import_production(extra_env: dict) -> subprocess.CompletedProcess:
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"SECRET_KEY", "ALLOWED_HOSTS", "DJANGO_SETTINGS_MODULE"}
    }
    env.update(extra_env)
    env["DJANGO_SETTINGS_MODULE"] = "vigil.settings.production"
    return subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_production_settings_refuse_to_start_without_a_secret_key():
    """No secret has a default in production: a missing SECRET_KEY stops start-up."""
    result = _import_production({"ALLOWED_HOSTS": "example.org"})
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_production_settings_refuse_to_start_without_allowed_hosts():
    result = _import_production({"SECRET_KEY": "x" * 50})
    assert result.returncode != 0
    assert "ALLOWED_HOSTS" in result.stderr


def test_production_settings_start_with_both():
    result = _import_production({"SECRET_KEY": "x" * 50, "ALLOWED_HOSTS": "example.org"})
    assert result.returncode == 0, result.stderr


def test_sqlite_uses_wal_and_immediate_transactions(db):
    """Concurrent writers lose rows on SQLite without both (measured)."""
    from django.db import connection

    if connection.vendor != "sqlite":
        return
    assert connection.settings_dict["OPTIONS"]["transaction_mode"] == "IMMEDIATE"
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA journal_mode")
        mode = cursor.fetchone()[0]
    # The in-memory test database cannot use WAL; the configured init command asks for it.
    assert mode in {"wal", "memory"}
    assert "journal_mode=WAL" in connection.settings_dict["OPTIONS"]["init_command"]


def test_production_settings_pass_the_deployment_checks():
    """`manage.py check --deploy` finds nothing to warn about: HSTS, secure cookies,
    SSL redirect, a strong secret key, no DEBUG."""
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"SECRET_KEY", "ALLOWED_HOSTS", "DJANGO_SETTINGS_MODULE", "HTTPS"}
    }
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "vigil.settings.production",
            "SECRET_KEY": "k3" + "".join(chr(33 + (i * 7) % 90) for i in range(60)),
            "ALLOWED_HOSTS": "example.org",
        }
    )
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_turns_on_hsts_secure_cookies_and_two_factor():
    code = (
        "import django; django.setup(); from django.conf import settings as s; "
        "print(s.SECURE_HSTS_SECONDS, s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, "
        "s.SECURE_SSL_REDIRECT, s.VIGIL_REQUIRE_2FA, s.SESSION_COOKIE_SAMESITE, "
        "s.PASSWORD_HASHERS[0].rsplit('.', 1)[1])"
    )
    env = {k: v for k, v in os.environ.items() if k not in {"HTTPS", "DJANGO_SETTINGS_MODULE"}}
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "vigil.settings.production",
            "SECRET_KEY": "x" * 50,
            "ALLOWED_HOSTS": "example.org",
        }
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=BASE_DIR, env=env, capture_output=True, text=True
    )
    assert result.stdout.split() == [
        "31536000", "True", "True", "True", "True", "Lax", "Argon2PasswordHasher"
    ], result.stderr  # fmt: skip


def test_behind_a_proxy_the_forwarded_address_is_trusted_as_many_hops_as_set():
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "vigil.settings.production",
            "SECRET_KEY": "x" * 50,
            "ALLOWED_HOSTS": "example.org",
        }
    )
    code = "import django; django.setup(); from django.conf import settings as s; "
    code += "print(s.VIGIL_BEHIND_PROXY, s.VIGIL_PROXY_COUNT)"
    for behind, count, expected in (("true", "2", "True 2"), ("false", "0", "False 0")):
        result = subprocess.run(
            [sys.executable, "-c", code],
            cwd=BASE_DIR,
            env={**env, "BEHIND_PROXY": behind, "PROXY_COUNT": count},
            capture_output=True,
            text=True,
        )
        assert result.stdout.strip() == expected, result.stderr
