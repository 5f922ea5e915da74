"""Sign-in: the code asked first after failures (per account and address, and per
account), the per-address limit, audit log, idle timeout, password hashing and length."""

import time

import pytest
from axes.models import AccessAttempt
from django.contrib.auth.hashers import check_password, make_password
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from wagtail.models import ModelLogEntry, Site

from vigil.accounts.middleware import SESSION_LAST_SEEN
from vigil.accounts.tests.factories import PASSWORD, UserFactory
from vigil.testing.accounts import enrol, enrolment_path, totp_now

pytestmark = pytest.mark.django_db


def attempt(client, username, password, *, ip):
    return client.post(
        "/admin/login/", {"username": username, "password": password}, REMOTE_ADDR=ip
    )


def attempt_with_code(client, username, password, code, *, ip):
    return client.post(
        "/admin/login/",
        {"username": username, "password": password, "code": code},
        REMOTE_ADDR=ip,
    )


def test_five_wrong_passwords_from_one_address_ask_for_the_code_first(client, require_2fa):
    """No lockout a stranger controls: after five failures from one address, the right
    password alone does not sign in from there, and password and code together do."""
    editor = UserFactory()
    enrol(editor)
    for _ in range(5):
        response = attempt(client, editor.username, "wrong password!", ip="203.0.113.9")
        assert response.status_code == 200
    asked = attempt(client, editor.username, PASSWORD, ip="203.0.113.9")
    assert asked.status_code == 429
    html = asked.content.decode()
    assert 'name="code"' in html and "many failed sign-ins to this account" in html
    assert "_auth_user_id" not in client.session
    device = TOTPDevice.objects.get(user=editor)
    wrong = f"{(int(totp_now(device)) + 1) % 1_000_000:06d}"
    assert (
        attempt_with_code(client, editor.username, PASSWORD, wrong, ip="203.0.113.9").status_code
        == 429
    )
    response = attempt_with_code(
        client, editor.username, PASSWORD, totp_now(device, offset=1), ip="203.0.113.9"
    )
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(editor.pk)
    # The code was the second factor: no second code is asked for.
    assert client.get("/admin/").status_code == 200
    # Another account from the attacker's address signs in as usual.
    client.logout()
    other = UserFactory()
    assert attempt(client, other.username, PASSWORD, ip="203.0.113.9").status_code == 302


def test_code_first_guesses_never_block_the_editors_phone(client, require_2fa):
    """Wrong codes before the password do not count against the device (django-otp
    would make it wait): the editor at their own address still signs in."""
    editor = UserFactory()
    enrol(editor)
    for _ in range(5):
        attempt(client, editor.username, "wrong password!", ip="203.0.113.9")
    for _ in range(10):
        attempt_with_code(client, editor.username, "guess", "000000", ip="203.0.113.9")
    # Without the code, the password was not even checked: nothing more was counted.
    assert sum(AccessAttempt.objects.values_list("failures_since_start", flat=True)) == 5
    asked = attempt(client, editor.username, PASSWORD, ip="203.0.113.9").content.decode()
    assert "correct username and password" not in asked
    sign_in = attempt(client, editor.username, PASSWORD, ip="198.51.100.7")
    assert sign_in.status_code == 302
    device = TOTPDevice.objects.get(user=editor)
    response = client.post("/admin/two-factor/verify/", {"code": totp_now(device, offset=1)})
    assert response.status_code == 302


def test_a_recovery_code_passes_code_first_and_is_used_up_with_the_password(client, require_2fa):
    editor = UserFactory()
    codes = enrol(editor)
    for _ in range(5):
        attempt(client, editor.username, "wrong password!", ip="203.0.113.9")
    # The code is right but the password wrong: the code is not spent.
    attempt_with_code(client, editor.username, "wrong password!", codes[0], ip="203.0.113.9")
    assert StaticToken.objects.filter(device__user=editor).count() == 10
    response = attempt_with_code(client, editor.username, PASSWORD, codes[0], ip="203.0.113.9")
    assert response.status_code == 302
    assert StaticToken.objects.filter(device__user=editor).count() == 9


def test_many_addresses_together_reach_the_account_ceiling(client, require_2fa, settings):
    """Guesses spread over many addresses (two each) still make the account ask for the
    code first, from every address, once the ceiling is reached."""
    editor = UserFactory()
    enrol(editor)
    ceiling = settings.VIGIL_SIGNIN_ACCOUNT_CEILING
    for n in range(ceiling // 2):
        for _ in range(2):
            response = attempt(client, editor.username, "wrong!", ip=f"198.51.100.{n + 1}")
            assert response.status_code == 200
    response = attempt(client, editor.username, PASSWORD, ip="192.0.2.77")
    assert response.status_code == 429 and "_auth_user_id" not in client.session
    # An unknown name is treated the same way: the answer tells no one which names exist.
    for n in range(ceiling):
        attempt(client, "no-such-editor", "wrong!", ip=f"198.51.100.{n + 1}")
    unknown = attempt(client, "no-such-editor", PASSWORD, ip="192.0.2.77")
    assert unknown.status_code == 429 and 'name="code"' in unknown.content.decode()


def test_a_new_editor_under_attack_passes_with_their_set_up_link(client, require_2fa):
    editor = UserFactory()
    for _ in range(5):
        attempt(client, editor.username, "wrong password!", ip="203.0.113.9")
    link = enrolment_path(editor)
    response = client.post(
        "/admin/login/",
        {"username": editor.username, "password": PASSWORD, "next": link},
        REMOTE_ADDR="203.0.113.9",
    )
    assert response.status_code == 302 and response["Location"] == link


def test_failure_counts_lapse_after_the_cool_off(client, require_2fa):
    editor = UserFactory()
    for _ in range(5):
        attempt(client, editor.username, "wrong password!", ip="203.0.113.9")
    assert attempt(client, editor.username, PASSWORD, ip="203.0.113.9").status_code == 429
    AccessAttempt.objects.update(
        attempt_time=AccessAttempt.objects.first().attempt_time.replace(year=2000)
    )
    assert attempt(client, editor.username, PASSWORD, ip="203.0.113.9").status_code == 302


def test_one_address_trying_many_names_is_limited(client, settings):
    settings.VIGIL_SIGNIN_RATE_LIMIT = (3, 600)
    for n in range(3):
        assert attempt(client, f"nobody{n}", "x", ip="192.0.2.1").status_code == 200
    response = attempt(client, "nobody9", "x", ip="192.0.2.1")
    assert response.status_code == 429
    assert "Too many sign-ins have been tried from your connection" in response.content.decode()
    assert attempt(client, "nobody9", "x", ip="192.0.2.2").status_code == 200


def test_sign_ins_and_failures_are_audit_logged(client, home):
    editor = UserFactory()
    attempt(client, editor.username, "wrong password!", ip="203.0.113.9")
    attempt(client, "no-such-user", "guess", ip="203.0.113.9")
    attempt(client, editor.username, PASSWORD, ip="198.51.100.7")
    failed = ModelLogEntry.objects.get(object_id=str(editor.pk), action="vigil.sign_in_failed")
    assert failed.data == {"ip": "203.0.113.9", "code_first": False}
    assert failed.user is None
    unknown = ModelLogEntry.objects.get(
        object_id=str(Site.objects.get().pk), action="vigil.sign_in_failed"
    )
    assert unknown.data["unknown_user"] is True
    assert "no-such-user" not in str(unknown.data) and "guess" not in str(unknown.data)
    signed_in = ModelLogEntry.objects.get(object_id=str(editor.pk), action="vigil.sign_in")
    assert signed_in.user_id == editor.pk
    assert signed_in.data == {"ip": "198.51.100.7"}


def test_an_idle_admin_session_is_signed_out(client):
    editor = UserFactory()
    attempt(client, editor.username, PASSWORD, ip="198.51.100.7")
    assert client.get("/admin/").status_code == 200
    session = client.session
    session[SESSION_LAST_SEEN] = time.time() - 31 * 60
    session.save()
    response = client.get("/admin/pages/", follow=True)
    assert response.redirect_chain[0] == ("/admin/login/?next=/admin/pages/", 302)
    assert "signed out after 30 minutes without activity" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_activity_keeps_the_admin_session(client):
    editor = UserFactory()
    attempt(client, editor.username, PASSWORD, ip="198.51.100.7")
    session = client.session
    session[SESSION_LAST_SEEN] = time.time() - 29 * 60
    session.save()
    assert client.get("/admin/").status_code == 200
    assert time.time() - client.session[SESSION_LAST_SEEN] < 60


def test_passwords_are_hashed_with_argon2id(settings):
    """Every environment but the tests (which hash fast) stores Argon2id hashes."""
    from vigil.settings import base

    settings.PASSWORD_HASHERS = base.PASSWORD_HASHERS
    encoded = make_password("a long enough password")
    assert encoded.startswith("argon2$argon2id$")
    assert check_password("a long enough password", encoded)
    assert not check_password("a long enough passwore", encoded)


def test_passwords_need_twelve_characters():
    with pytest.raises(ValidationError) as error:
        validate_password("Kx7#pq2Lm9!")
    assert "at least 12 characters" in str(error.value)
    validate_password("Kx7#pq2Lm9!z")


def test_session_cookies_are_http_only_and_same_site(client, settings):
    editor = UserFactory()
    response = attempt(client, editor.username, PASSWORD, ip="198.51.100.7")
    cookie = response.cookies[settings.SESSION_COOKIE_NAME]
    assert cookie["httponly"] is True
    assert cookie["samesite"] == "Lax"
