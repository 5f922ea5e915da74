"""The database rate counter: exact under concurrency, per key and window, purged when old."""

import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from django.db import connection

from vigil.ratelimits.models import RateCounter
from vigil.ratelimits.services import (
    ratelimit_hit,
    ratelimit_key,
    ratelimit_purge,
    ratelimit_stored_key,
)

BASE_DIR = Path(__file__).resolve().parents[3]

pytestmark = pytest.mark.django_db


NOW = 1_000_000_020.0  # the start of a minute window


def test_hits_up_to_the_limit_pass_and_the_rest_do_not():
    results = [ratelimit_hit(key="t:a", limit=3, window_seconds=60, now=NOW) for _ in range(5)]
    assert results == [True, True, True, False, False]
    [counter] = RateCounter.objects.all()
    assert counter.count == 5
    assert counter.key == ratelimit_stored_key(key="t:a", window_start=int(NOW) // 60 * 60)


def test_keys_and_windows_are_counted_apart():
    assert ratelimit_hit(key="t:a", limit=1, window_seconds=60, now=NOW)
    assert not ratelimit_hit(key="t:a", limit=1, window_seconds=60, now=NOW + 10)
    assert ratelimit_hit(key="t:b", limit=1, window_seconds=60, now=NOW)
    # A whole window later, the previous one no longer weighs.
    assert ratelimit_hit(key="t:a", limit=1, window_seconds=60, now=NOW + 120)


def test_the_window_slides_no_double_burst_at_its_edge():
    """A fixed window let 2x the limit through around its edge (the limit at the end of
    one window, the limit again at the start of the next): issue 18, item 7."""
    edge = 1_000_000_020 // 60 * 60 + 60  # the start of the next minute window
    late = [ratelimit_hit(key="t:e", limit=10, window_seconds=60, now=edge - 1) for _ in range(10)]
    assert all(late)
    # One second into the next window the previous one still weighs 59/60 of its 10.
    early = [ratelimit_hit(key="t:e", limit=10, window_seconds=60, now=edge + 1) for _ in range(10)]
    assert sum(early) <= 1
    # Half a window on, half of the previous window's hits have slid out.
    later = [ratelimit_hit(key="t:f", limit=10, window_seconds=60, now=edge - 1) for _ in range(10)]
    assert all(later)
    assert (
        sum(ratelimit_hit(key="t:f", limit=10, window_seconds=60, now=edge + 30) for _ in range(10))
        == 5
    )


def test_keys_are_keyed_hashes_that_change_every_day(settings):
    """No plain hash of an address is stored: an unsalted SHA-256 of an IPv4 address is
    reversed by trying all of them (issue 18, item 12). The stored key is an HMAC under a
    key derived from SECRET_KEY and the day, so it changes daily and needs the secret."""
    key = ratelimit_key(scope="search", value="203.0.113.9")
    ratelimit_hit(key=key, limit=5, window_seconds=60, now=NOW)
    [stored] = RateCounter.objects.values_list("key", flat=True)
    assert stored.startswith("search:") and "203.0.113.9" not in stored
    assert key.split(":", 1)[1] not in stored, "the plain SHA-256 is not what is stored"
    window = int(NOW) // 60 * 60
    assert stored == ratelimit_stored_key(key=key, window_start=window)
    assert stored != ratelimit_stored_key(key=key, window_start=window + 24 * 3600)
    settings.SECRET_KEY = "another secret"
    assert stored != ratelimit_stored_key(key=key, window_start=window)
    assert key != ratelimit_key(scope="login", value="203.0.113.9")


def test_old_windows_are_purged():
    ratelimit_hit(key="t:old", limit=5, window_seconds=60, now=time.time() - 3 * 24 * 3600)
    ratelimit_hit(key="t:new", limit=5, window_seconds=60)
    assert ratelimit_purge() == 1
    [kept] = RateCounter.objects.values_list("key", flat=True)
    assert kept.startswith("t:")


def test_a_window_shorter_than_a_second_is_refused():
    with pytest.raises(ValueError):
        ratelimit_hit(key="t:a", limit=1, window_seconds=0)


def _probe_database_url(tmp_path) -> str:
    """The engine the suite runs on: a fresh SQLite file with the production options
    (WAL, IMMEDIATE), or the PostgreSQL test database itself (its table is committed by
    the migrations; the probe's rows are its own, under a key of their own)."""
    if connection.vendor == "postgresql":
        s = connection.settings_dict
        host = f"{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}"
        return f"postgres://{s['USER']}:{s['PASSWORD']}@{host}/{s['NAME']}"
    return f"sqlite:///{tmp_path / 'probe.sqlite3'}"


def test_concurrent_hits_allow_exactly_the_limit(tmp_path):
    """Eight threads, each with its own connection, 40 hits each against a limit of 30:
    exactly 30 pass (the cache counter this replaced let 46 of 600 through)."""
    key = f"t:{uuid.uuid4().hex}"
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "vigil.ratelimits.tests.concurrency_probe",
            _probe_database_url(tmp_path),
            "8",
            "40",
            "30",
            key,
        ],
        cwd=BASE_DIR,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    allowed, counted = map(int, result.stdout.split())
    assert allowed == 30
    assert counted == 8 * 40


def test_search_is_rate_limited_per_address(client, settings, updates_index):
    settings.SEARCH_RATE_LIMIT = (2, 60)
    for _ in range(2):
        assert client.get("/search/?q=free", REMOTE_ADDR="192.0.2.1").status_code == 200
    response = client.get("/search/?q=free", REMOTE_ADDR="192.0.2.1")
    assert response.status_code == 429
    assert response["Retry-After"] == "60"
    assert "Please wait a minute and search again" in response.content.decode()
    assert client.get("/search/?q=free", REMOTE_ADDR="192.0.2.2").status_code == 200
    # The empty search form is not a search.
    assert client.get("/search/", REMOTE_ADDR="192.0.2.1").status_code == 200


def test_the_purge_command_reports_what_it_deleted():
    from io import StringIO

    from django.core.management import call_command

    ratelimit_hit(key="t:old", limit=5, window_seconds=60, now=time.time() - 3 * 24 * 3600)
    out = StringIO()
    call_command("purge_rate_counters", stdout=out)
    assert out.getvalue().strip() == "Deleted 1 old rate counters."
    assert not RateCounter.objects.exists()


def test_a_key_longer_than_the_column_is_refused():
    """PostgreSQL would refuse it mid-request; SQLite would silently keep it."""
    with pytest.raises(ValueError, match="too long"):
        ratelimit_hit(key="x" * 101, limit=1, window_seconds=60)
