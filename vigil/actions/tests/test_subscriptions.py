"""Email updates: subscribing with double opt-in, and leaving with one click."""

import pytest
from django.test import Client

from vigil.actions.models import OutgoingMail, Subscriber
from vigil.actions.tests.factories import SubscriberFactory
from vigil.actions.tests.helpers import form_stamp
from vigil.testing.mail import link_path, message_links

pytestmark = pytest.mark.django_db

URL = "/act/subscribe/"


def subscribe(client, **fields):
    data = {"email": "reader@example.org", "language": "en", "website": ""}
    data["stamp"] = form_stamp(client.get(URL))
    data.update(fields)
    return client.post(URL, data)


def link(message, part: str) -> str:
    return link_path(next(url for url in message_links(message) if part in url))


def test_subscribe_confirm_and_unsubscribe(client, home, smtp, fast_forms):
    """Subscribing needs the emailed link; unsubscribing deletes the address."""
    response = subscribe(client, email=" Reader@Example.org")
    assert response.status_code == 303
    subscriber = Subscriber.objects.get()
    assert subscriber.email == "reader@example.org"
    assert subscriber.confirmed_at is None
    [message] = smtp.to("reader@example.org")
    confirm = link(message, "/subscribe/confirm/")
    assert "Confirm my subscription" in client.get(confirm).content.decode()
    assert client.post(confirm).status_code == 200
    subscriber.refresh_from_db()
    assert subscriber.confirmed_at is not None
    assert "already confirmed" in client.post(confirm).content.decode()

    leave = link(message, "/unsubscribe/")
    assert client.get(leave).status_code == 200
    assert Subscriber.objects.exists(), "GET changes nothing"
    assert client.post(leave).status_code == 200
    assert not Subscriber.objects.exists()
    assert client.post(leave).status_code == 410


def test_one_click_unsubscribe_rfc8058(home, smtp):
    """A mail client's one-click POST (no CSRF token, no cookie) unsubscribes at once."""
    from vigil.actions import services

    subscriber = SubscriberFactory()
    token = services.token_make(
        purpose=services.PURPOSE_UNSUBSCRIBE, pk=subscriber.pk, email=subscriber.email
    )
    client = Client(enforce_csrf_checks=True)
    response = client.post(
        f"/act/unsubscribe/{token}/",
        "List-Unsubscribe=One-Click",
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 200
    assert not Subscriber.objects.exists()


def test_subscribing_again_reveals_nothing(client, home, smtp, fast_forms):
    """A confirmed address gets the same answer, one row is kept, and the address's owner
    (only) is told it is already subscribed, with no link that confirms anything."""
    SubscriberFactory(email="reader@example.org")
    response = subscribe(client)
    assert response.status_code == 303
    assert response["Location"] == "/act/subscribe/sent/"
    assert Subscriber.objects.count() == 1
    [message] = smtp.messages
    assert message.envelope_to == ["reader@example.org"]
    assert message["Subject"] == "You are already subscribed to our updates"
    assert [url for url in message_links(message) if "/confirm/" in url] == []
    assert any("/unsubscribe/" in url for url in message_links(message))


BAD = {
    "invalid email": {"email": "nope"},
    "missing email": {"email": ""},
    "unknown language": {"language": "xx"},
    "honeypot": {"website": "x"},
    "forged stamp": {"stamp": "form:1:bad"},
    "10 KB email": {"email": "a" * 10_000 + "@example.org"},
}


@pytest.mark.parametrize("fields", BAD.values(), ids=BAD.keys())
def test_bad_subscriptions_are_refused(client, home, smtp, fast_forms, fields):
    """Bad input: 400, a message, nothing stored, nothing sent, nothing lost."""
    SubscriberFactory(email="kept@example.org")
    response = subscribe(client, **fields)
    assert response.status_code == 400
    assert 'class="error-summary"' in response.content.decode()
    assert list(Subscriber.objects.values_list("email", flat=True)) == ["kept@example.org"]
    assert smtp.messages == []


def test_invalid_utf8_subscription(client, home, smtp, fast_forms):
    stamp = form_stamp(client.get(URL))
    response = client.post(
        URL,
        b"email=%C3%28%40example.org&language=en&stamp=" + stamp.encode(),
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 400
    assert not Subscriber.objects.exists()


def test_unknown_subscription_tokens(client, home):
    for url in ("/act/unsubscribe/bad/", "/act/subscribe/confirm/bad/"):
        response = client.post(url)
        assert response.status_code == 400
        assert "not valid" in response.content.decode()


def test_mail_down_answers_the_same_and_queues(client, home, no_smtp, fast_forms):
    """The request does not wait on the mail server: the confirmation is queued."""
    response = subscribe(client)
    assert response.status_code == 303
    assert Subscriber.objects.get().confirmed_at is None
    assert OutgoingMail.objects.get().purpose == "subscriber-confirm"


@pytest.mark.parametrize("language", ["ru", "kk"])
def test_subscribing_in_a_language_stays_in_it(client, home, smtp, fast_forms, language):
    """The confirmation email is in the subscriber's language (<html lang>, its links under
    /ru/ or /kk/), and so is the way back to the site from the answer."""
    data = {"email": "reader@example.org", "language": language, "website": ""}
    data["stamp"] = form_stamp(client.get(f"/{language}{URL}"))
    assert client.post(f"/{language}{URL}", data).status_code == 303
    [message] = smtp.to("reader@example.org")
    assert f'<html lang="{language}">' in message.get_body(("html",)).get_content()
    assert all(link_path(url).startswith(f"/{language}/") for url in message_links(message))
    answer = client.post(link(message, "/subscribe/confirm/")).content.decode()
    assert f'<a href="/{language}/">' in answer, "back to the site, in the same language"
