"""The admin's door (sign-in, two-factor pages) speaks the browser's language."""

import pytest

from vigil.accounts.tests.factories import PASSWORD, UserFactory
from vigil.testing.accounts import enrolment_path

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("accept", "expected"),
    [("ru-RU,ru;q=0.9", "Вход"), ("kk-KZ,kk;q=0.9", "Кіру"), ("en-GB", "Sign in")],
)
def test_sign_in_page_follows_the_browser_language(client, home, accept, expected):
    response = client.get("/admin/login/", HTTP_ACCEPT_LANGUAGE=accept)
    assert response.status_code == 200
    assert expected in response.content.decode()


def test_two_factor_set_up_speaks_russian_to_a_russian_browser(client, home, require_2fa):
    editor = UserFactory()
    client.post(
        "/admin/login/",
        {"username": editor.username, "password": PASSWORD},
        HTTP_ACCEPT_LANGUAGE="ru",
    )
    client.get(enrolment_path(editor), HTTP_ACCEPT_LANGUAGE="ru")
    response = client.get("/admin/two-factor/setup/", HTTP_ACCEPT_LANGUAGE="ru")
    assert response.status_code == 200
    assert "двухфакторн" in response.content.decode().lower()


def test_public_pages_keep_the_language_of_their_path(client, home):
    response = client.get("/", HTTP_ACCEPT_LANGUAGE="ru")
    assert response.headers["Content-Language"] == "en"
