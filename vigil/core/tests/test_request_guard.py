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


@pytest.mark.parametrize("query", ["q=%D1%81%D1%83%D0%B4", "q=caf%C3%A9+bar", "q=100%25"])
def test_valid_utf8_queries_pass(client, home, query):
    assert client.get(f"/search/?{query}").status_code == 200


def test_the_refusal_is_in_the_readers_language(client, home):
    response = client.get("/ru/search/?q=%ff")
    assert response.status_code == 400
    assert '<html lang="ru"' in response.content.decode()
