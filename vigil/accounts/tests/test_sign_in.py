"""Sign-in: lockouts per account and address, the per-address limit, audit log, idle timeout,
password hashing and length."""

import time

import pytest
from axes.models import AccessAttempt
from django.contrib.auth.hashers import check_password, make_password
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from wagtail.models import ModelLogEntry, Site

from vigil.accounts.middleware import SESSION_LAST_SEEN
from vigil.accounts.tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


def attempt(client, username, password, *, ip):
    return client.post(
        "/admin/login/", {"username": username, "password": password}, REMOTE_ADDR=ip
    )


def test_five_wrong_passwords_lock_the_account_from_that_address_only(client):
    """A stranger guessing from elsewhere cannot lock an editor out of their own address."""
    editor = UserFactory()
    for _ in range(5):
        response = attempt(client, editor.username, "wrong password!", ip="203.0.113.9")
        assert response.status_code in (200, 429)
    locked = attempt(client, editor.username, PASSWORD, ip="203.0.113.9")
    assert locked.status_code == 429
    html = locked.content.decode()
    assert "Too many sign-in attempts" in html
    assert "blocked for half an hour" in html
    assert "_auth_user_id" not in client.session
    # The editor at their own address signs in as usual.
    response = attempt(client, editor.username, PASSWORD, ip="198.51.100.7")
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(editor.pk)
    # Another account from the attacker's address is not locked either.
    other = UserFactory()
    assert attempt(client, other.username, PASSWORD, ip="203.0.113.9").status_code == 302


def test_lockout_lifts_after_the_cool_off(client, settings):
    editor = UserFactory()
    for _ in range(5):
        attempt(client, editor.username, "wrong password!", ip="203.0.113.9")
    assert attempt(client, editor.username, PASSWORD, ip="203.0.113.9").status_code == 429
    AccessAttempt.objects.update(
        attempt_time=AccessAttempt.objects.first().attempt_time.replace(year=2000)
    )
    assert attempt(client, editor.username, PASSWORD, ip="203.0.113.9").status_code == 302


def test_one_address_trying_many_names_is_limited(client, settings):
    settings.VIGIL_LOGIN_RATE_LIMIT = (3, 600)
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
