"""Requests refused before any view: oversized bodies (413) and invalid UTF-8 (400)."""

import pytest

pytestmark = pytest.mark.django_db


def test_a_body_over_the_public_limit_is_refused_with_413(client, home, settings):
    settings.VIGIL_MAX_REQUEST_BYTES = 1000
    response = client.post(
        "/act/subscribe/", b"email=" + b"a" * 2000, content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 413
    assert "larger than this site accepts" in response.content.decode()


def test_the_admin_takes_bodies_up_to_its_own_limit(client, home, settings):
    settings.VIGIL_MAX_REQUEST_BYTES = 1000
    settings.VIGIL_ADMIN_MAX_REQUEST_BYTES = 5000
    body = b"username=x&password=" + b"a" * 2000
    response = client.post("/admin/login/", body, content_type="application/x-www-form-urlencoded")
    assert response.status_code == 200
    response = client.post(
        "/admin/login/", body + b"a" * 4000, content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 413


def test_the_default_public_limit_is_djangos_form_limit():
    from vigil.settings import base

    assert base.VIGIL_MAX_REQUEST_BYTES == base.DATA_UPLOAD_MAX_MEMORY_SIZE
    assert base.VIGIL_ADMIN_MAX_REQUEST_BYTES > base.LIBRARY_MAX_UPLOAD_BYTES


@pytest.mark.parametrize("path", ["/act/subscribe/", "/admin/login/"])
def test_a_form_body_that_is_not_utf8_is_refused_with_400(client, home, path):
    response = client.post(
        path, b"email=%ff%fe&username=%c3", content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 400
    assert "characters that could not be read" in response.content.decode()


def test_raw_bytes_that_are_not_utf8_are_refused_too(client, home):
    response = client.post(
        "/act/subscribe/", b"email=\xff\xfe", content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 400


@pytest.mark.parametrize("query", ["q=%ff", "q=%c3%28", "a=1&%80=2"])
def test_a_query_string_that_is_not_utf8_is_refused_with_400(client, home, query):
    response = client.get(f"/search/?{query}")
    assert response.status_code == 400


@pytest.mark.parametrize("raw", [b"q=\xff", b"q=caf\xe9", b"\x80=1"])
def test_raw_query_bytes_that_are_not_utf8_are_refused_too(client, home, raw):
    """Bytes sent without percent-encoding reach Django as ISO-8859-1 text (WSGI); they
    used to pass the check and be replaced by U+FFFD (found by test_fuzz.py)."""
    response = client.get("/search/", QUERY_STRING=raw.decode("iso-8859-1"))
    assert response.status_code == 400


def test_raw_utf8_query_bytes_pass(client, home):
    raw = "q=суд".encode()
    response = client.get("/search/", QUERY_STRING=raw.decode("iso-8859-1"))
    assert response.status_code == 200
    assert response.context["search_query"] == "суд"


@pytest.mark.parametrize("query", ["q=%D1%81%D1%83%D0%B4", "q=caf%C3%A9+bar", "q=100%25"])
def test_valid_utf8_queries_pass(client, home, query):
    assert client.get(f"/search/?{query}").status_code == 200


def test_the_refusal_is_in_the_readers_language(client, home):
    response = client.get("/ru/search/?q=%ff")
    assert response.status_code == 400
    assert '<html lang="ru"' in response.content.decode()


def _request(remote="10.0.0.1", forwarded=None):
    from django.test import RequestFactory

    extra = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    return RequestFactory().get("/", **extra)


def test_without_a_proxy_the_connections_address_counts(settings):
    """A client's own X-Forwarded-For must not let it pick the address it is limited by."""
    from vigil.core.services import request_client_ip

    settings.VIGIL_PROXY_COUNT = 0
    assert request_client_ip(request=_request(forwarded="203.0.113.5")) == "10.0.0.1"


def test_behind_one_proxy_the_address_it_saw_counts(settings):
    from vigil.core.services import request_client_ip

    settings.VIGIL_PROXY_COUNT = 1
    # The client sent "1.1.1.1"; the proxy appended the address it really saw.
    request = _request(remote="127.0.0.1", forwarded="1.1.1.1, 198.51.100.4")
    assert request_client_ip(request=request) == "198.51.100.4"
    assert request_client_ip(request=_request(remote="127.0.0.1")) == "127.0.0.1"


def test_lockouts_behind_a_proxy_are_per_reader(client, settings):
    """Behind nginx every connection comes from 127.0.0.1: five wrong passwords from one
    reader must not lock the account for another."""
    from vigil.accounts.tests.factories import PASSWORD, UserFactory

    settings.VIGIL_PROXY_COUNT = 1
    editor = UserFactory()

    def attempt(password, reader):
        return client.post(
            "/admin/login/",
            {"username": editor.username, "password": password},
            REMOTE_ADDR="127.0.0.1",
            HTTP_X_FORWARDED_FOR=reader,
        )

    for _ in range(5):
        attempt("wrong password!", "203.0.113.9")
    assert attempt(PASSWORD, "203.0.113.9").status_code == 429
    assert attempt(PASSWORD, "198.51.100.7").status_code == 302
