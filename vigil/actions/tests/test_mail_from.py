"""The From address: configurable, and by default one that receiving servers accept."""

import pytest

from vigil.settings import env as settings_env


@pytest.fixture
def unset(monkeypatch):
    monkeypatch.delenv("DEFAULT_FROM_EMAIL", raising=False)


@pytest.mark.parametrize(
    ("base_url", "address"),
    [
        ("https://www.free-karim.org", "updates@free-karim.org"),
        ("https://free-karim.org:8443/", "updates@free-karim.org"),
        ("https://campaign.example.kz", "updates@campaign.example.kz"),
    ],
)
def test_default_from_is_at_the_sites_own_domain(unset, base_url, address):
    """Not webmaster@localhost, which servers checking the sender's domain refuse."""
    assert settings_env.mail_from(base_url) == (address, "")


@pytest.mark.parametrize(
    "base_url", ["http://127.0.0.1:8000", "http://localhost:8000", "http://[::1]:8000"]
)
def test_a_site_without_a_domain_name_gets_a_warning(unset, base_url):
    address, warning = settings_env.mail_from(base_url)
    assert address == "updates@localhost"
    assert "DEFAULT_FROM_EMAIL" in warning and "refuse" in warning


def test_the_from_address_is_set_in_the_environment(monkeypatch):
    monkeypatch.setenv("DEFAULT_FROM_EMAIL", "Free Karim <news@free-karim.org>")
    assert settings_env.mail_from("http://127.0.0.1:8000") == (
        "Free Karim <news@free-karim.org>",
        "",
    )


def test_make_run_prints_the_from_address(unset, tmp_path):
    """scripts/run.sh prints the From it uses, and the warning, before serving."""
    import subprocess
    import sys
    from pathlib import Path

    script = (Path(settings_env.BASE_DIR) / "scripts" / "run.sh").read_text()
    snippet = script[script.index("$PY -c 'import os") + len("$PY -c '") :]
    snippet = snippet[: snippet.index("'\n")]
    result = subprocess.run(
        [sys.executable, "-c", snippet],
        env={"BASE_URL": "http://127.0.0.1:8000", "PATH": "/usr/bin:/bin"},
        cwd=settings_env.BASE_DIR,
        capture_output=True,
        text=True,
        check=True,
    )
    assert "Mail is sent from updates@localhost" in result.stdout
    assert "Warning:" in result.stdout
