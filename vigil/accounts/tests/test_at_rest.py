"""Two-factor secrets at rest, retention of what identifies editors, proxy settings."""

import datetime as dt
import importlib
from binascii import hexlify

import pytest
from axes.models import AccessAttempt, AccessLog
from django.apps import apps
from django.core.management import call_command
from django.utils import timezone
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from wagtail.models import ModelLogEntry

from vigil.accounts import checks, sealing, services
from vigil.accounts.models import EnrolmentInvitation
from vigil.accounts.tests.factories import UserFactory
from vigil.testing.accounts import enrol, enrolment_path, totp_now

pytestmark = pytest.mark.django_db


def test_a_copy_of_the_database_holds_no_usable_second_factor():
    """Read the rows as a backup would: no TOTP key, no recovery code in them."""
    user = UserFactory()
    codes = enrol(user)
    device = TOTPDevice.objects.get(user=user)
    stored = TOTPDevice.objects.filter(pk=device.pk).values_list("key", flat=True).get()
    assert stored.startswith("s1") and len(stored) <= 80
    assert hexlify(device.bin_key).decode() not in stored
    tokens = set(StaticToken.objects.values_list("token", flat=True))
    assert len(tokens) == 10 and not tokens & set(codes)
    # With another SECRET_KEY (a copy without var/secret-key) the key does not open.
    from django.test import override_settings

    with override_settings(SECRET_KEY="another" * 8), pytest.raises(Exception, match="SECRET"):
        sealing.totp_key_unseal(stored=stored)


def test_a_rotated_secret_key_in_the_fallbacks_still_opens_and_is_sealed_again(settings):
    user = UserFactory()
    enrol(user)
    old_stored = TOTPDevice.objects.get(user=user).key
    settings.SECRET_KEY_FALLBACKS = [settings.SECRET_KEY]
    settings.SECRET_KEY = "rotated-" * 8
    device = TOTPDevice.objects.get(user=user)
    assert device.verify_token(totp_now(device, offset=1))
    resealed = TOTPDevice.objects.get(pk=device.pk).key
    assert resealed != old_stored
    settings.SECRET_KEY_FALLBACKS = []
    assert sealing.totp_key_unseal(stored=resealed)[1] is True


def test_the_migration_seals_rows_from_before():
    migration = importlib.import_module("vigil.accounts.migrations.0002_seal_two_factor_secrets")
    user = UserFactory()
    key = bytes(range(20))
    device = TOTPDevice.objects.create(user=user, name="old", confirmed=True)
    TOTPDevice.objects.filter(pk=device.pk).update(key=hexlify(key).decode())
    static = StaticDevice.objects.create(user=user, name="recovery", confirmed=True)
    StaticToken.objects.create(device=static, token="abcd2345")
    StaticToken.objects.filter(device=static).update(token="abcd2345")
    migration.seal(apps, None)
    sealed = TOTPDevice.objects.get(pk=device.pk)
    assert sealing.is_sealed(sealed.key) and sealed.bin_key == key
    assert StaticToken.objects.get(device=static).token == sealing.recovery_code_digest(
        code="abcd2345"
    )
    # The editor's old recovery code still works, once.
    assert services.device_matching(user=user, code="ABCD 2345") == static
    assert not StaticToken.objects.filter(device=static).exists()


def test_the_purge_removes_old_addresses_and_axes_rows(home):
    user = UserFactory()
    services.signin_record(user=user, ip="198.51.100.4")
    services.signin_failure_record(username=user.username, ip="203.0.113.9", code_first=False)
    old = timezone.now() - dt.timedelta(days=31)
    ModelLogEntry.objects.filter(action="vigil.sign_in").update(timestamp=old)
    fresh_attempt = AccessAttempt.objects.create(
        username="x", ip_address="192.0.2.1", user_agent="", failures_since_start=1,
        get_data="", post_data="", http_accept="", path_info="/admin/login/",
    )  # fmt: skip
    stale_attempt = AccessAttempt.objects.create(
        username="y", ip_address="192.0.2.2", user_agent="", failures_since_start=1,
        get_data="", post_data="", http_accept="", path_info="/admin/login/",
    )  # fmt: skip
    AccessAttempt.objects.filter(pk=stale_attempt.pk).update(attempt_time=old)
    log = AccessLog.objects.create(
        username="z", ip_address="192.0.2.3", user_agent="Firefox", http_accept="",
        path_info="/admin/login/",
    )  # fmt: skip
    AccessLog.objects.filter(pk=log.pk).update(attempt_time=old)
    enrolment_path(user)
    EnrolmentInvitation.objects.update(expires_at=old)

    call_command("accounts_purge", verbosity=0)

    signed_in = ModelLogEntry.objects.get(action="vigil.sign_in")
    assert "ip" not in signed_in.data and signed_in.user_id == user.pk
    recent = ModelLogEntry.objects.get(action="vigil.sign_in_failed")
    assert recent.data["ip"] == "203.0.113.9"
    assert list(AccessAttempt.objects.values_list("pk", flat=True)) == [fresh_attempt.pk]
    assert not AccessLog.objects.exists()
    assert not EnrolmentInvitation.objects.exists()


def test_the_workers_run_the_purge_every_hour(db, monkeypatch):
    from vigil.accounts import retention
    from vigil.core.registry import schedules

    # The workers' scheduler enqueues every registered task at its interval.
    scheduled = next(s for s in schedules() if s.name == "accounts purge")
    assert scheduled.every == 3600
    calls = []
    monkeypatch.setattr(retention, "accounts_purge", lambda **kwargs: calls.append(kwargs))
    scheduled.task.call()
    assert len(calls) == 1 and set(calls[0]) == {"now"}


@pytest.mark.parametrize(
    ("behind", "count", "trusted", "expected"),
    [
        (True, 0, [], ["vigil.E101"]),
        (False, 1, [], ["vigil.E102"]),
        (True, 9, [], ["vigil.E103"]),
        (True, 1, ["10.0.0.0/8", "nginx"], ["vigil.E104"]),
        (False, 0, ["127.0.0.1"], ["vigil.E105"]),
        (True, 2, ["127.0.0.1", "::1"], []),
        (False, 0, [], []),
    ],
)
def test_proxy_settings_that_let_a_client_pick_its_address_are_errors(
    settings, behind, count, trusted, expected
):
    settings.VIGIL_BEHIND_PROXY = behind
    settings.VIGIL_PROXY_COUNT = count
    settings.VIGIL_TRUSTED_PROXIES = trusted
    assert [error.id for error in checks.proxy_settings_check()] == expected


def test_only_a_trusted_proxys_header_is_believed(settings):
    from django.test import RequestFactory

    from vigil.core.services import request_client_ip

    settings.VIGIL_PROXY_COUNT = 2
    settings.VIGIL_TRUSTED_PROXIES = ["127.0.0.1"]
    forwarded = "6.6.6.6, 198.51.100.4, 10.1.1.1"
    via_proxy = RequestFactory().get("/", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR=forwarded)
    assert request_client_ip(request=via_proxy) == "198.51.100.4"
    around = RequestFactory().get("/", REMOTE_ADDR="203.0.113.5", HTTP_X_FORWARDED_FOR=forwarded)
    assert request_client_ip(request=around) == "203.0.113.5"
