"""Signing a petition: double opt-in by email, withdrawal, and every kind of bad input."""

import pytest
from django.test import Client
from django.utils import timezone

from vigil.actions import services
from vigil.actions.models import OutgoingMail, Signature, Subscriber
from vigil.actions.tests.factories import PetitionPageFactory, SignatureFactory
from vigil.actions.tests.helpers import form_stamp, signature_post
from vigil.testing.mail import link_path, message_links, message_text

pytestmark = pytest.mark.django_db


def confirm_link(message) -> str:
    return next(link for link in message_links(message) if "/signature/confirm/" in link)


def withdraw_link(message) -> str:
    return next(link for link in message_links(message) if "/signature/withdraw/" in link)


def public_count(client, petition) -> int:
    html = client.get(petition.url).content.decode()
    return int(
        html.split('class="petition-count__number"><strong>')[1].split("<")[0].replace(",", "")
    )


def test_sign_confirm_counts_exactly_one(client, petition, smtp, fast_forms):
    """A visitor signs, gets the email, confirms, and the public count rises by exactly one."""
    assert public_count(client, petition) == 0
    response = signature_post(client, petition.url, email="Ada@Example.ORG ")
    assert response.status_code == 303
    assert response["Location"].endswith("/petition/sign/sent/")
    assert "Check your email" in client.get(response["Location"]).content.decode()
    assert public_count(client, petition) == 0, "unconfirmed signatures do not count"

    [message] = smtp.to("ada@example.org")
    assert message["Subject"] == "Please confirm your signature: Free the test person"
    assert "/signature/confirm/" in message_text(message)
    link = link_path(confirm_link(message))
    shown = client.get(link)
    assert shown.status_code == 200
    assert "Confirm my signature" in shown.content.decode()
    assert public_count(client, petition) == 0, "opening the link alone confirms nothing"

    confirmed = client.post(link)
    assert confirmed.status_code == 200
    assert "now counts" in confirmed.content.decode()
    assert public_count(client, petition) == 1
    signature = Signature.objects.get()
    assert signature.email == "ada@example.org"
    assert signature.confirmed_at is not None

    again = client.post(link)
    assert again.status_code == 200
    assert "already confirmed" in again.content.decode()
    assert public_count(client, petition) == 1


def test_withdraw_from_the_email_deletes_the_signature(client, petition, smtp, fast_forms):
    """The withdraw link deletes the signature; a second use says it is already gone."""
    signature_post(client, petition.url)
    [message] = smtp.messages
    client.post(link_path(confirm_link(message)))
    assert public_count(client, petition) == 1
    link = link_path(withdraw_link(message))
    assert "Withdraw my signature" in client.get(link).content.decode()
    assert Signature.objects.count() == 1, "GET withdraws nothing"
    response = client.post(link)
    assert response.status_code == 200
    assert Signature.objects.count() == 0
    assert public_count(client, petition) == 0
    twice = client.post(link)
    assert twice.status_code == 410
    assert "withdrawn" in twice.content.decode()
    replayed = client.post(link_path(confirm_link(message)))
    assert replayed.status_code == 410, "a confirm link of a withdrawn signature is dead"
    assert Signature.objects.count() == 0


def test_signing_twice_stores_one_row_and_reveals_nothing(client, petition, smtp, fast_forms):
    """A second signature with the same address answers alike and keeps one row."""
    first = signature_post(client, petition.url, name="Ada Lovelace")
    second = signature_post(client, petition.url, name="Someone Else", email="ADA@example.org")
    assert first.status_code == second.status_code == 303
    assert first["Location"] == second["Location"]
    signature = Signature.objects.get()
    assert signature.name == "Ada Lovelace", "a stranger cannot rename a signer"
    assert len(smtp.to("ada@example.org")) == 2, "the confirmation is sent again"
    client.post(link_path(confirm_link(smtp.messages[0])))
    signature_post(client, petition.url)
    notice = smtp.messages[-1]
    assert "already signed" in notice["Subject"]
    assert Signature.objects.count() == 1
    assert public_count(client, petition) == 1


def test_consent_to_updates_subscribes_on_confirmation(client, petition, smtp, fast_forms):
    """Ticking the updates box makes a confirmed subscriber once the signature is confirmed."""
    signature_post(client, petition.url, consent_updates="on")
    assert not Subscriber.objects.exists()
    client.post(link_path(confirm_link(smtp.messages[0])))
    subscriber = Subscriber.objects.get()
    assert subscriber.email == "ada@example.org"
    assert subscriber.confirmed_at is not None


def test_recent_signers_show_only_consenting_first_names(client, petition):
    """Only confirmed signers who agreed appear, by first name and country."""
    now = timezone.now()
    SignatureFactory(petition=petition, name="Shown Person", show_publicly=True, confirmed_at=now)
    SignatureFactory(petition=petition, name="Hidden Person", confirmed_at=now)
    SignatureFactory(petition=petition, name="Unconfirmed Person", show_publicly=True)
    html = client.get(petition.url).content.decode()
    assert "Shown, United Kingdom" in html
    assert "Hidden" not in html
    assert "Unconfirmed" not in html
    assert "Person" not in html, "surnames are never shown"


def test_expired_confirmation_link(client, petition, smtp, fast_forms, settings):
    """An expired link says so with a 400 and confirms nothing."""
    signature_post(client, petition.url)
    settings.ACTIONS_CONFIRM_MAX_AGE = -1
    link = link_path(confirm_link(smtp.messages[0]))
    for response in (client.get(link), client.post(link)):
        assert response.status_code == 400
        assert "expired" in response.content.decode()
    assert Signature.objects.get().confirmed_at is None


@pytest.mark.parametrize(
    "token",
    ["nonsense", "WzEsImFiYyJd:1abc:forged", "x" * 300],
)
def test_forged_or_truncated_token(client, petition, token):
    """A token that was not made by the site is refused with a clear 400."""
    for url in (f"/act/signature/confirm/{token}/", f"/act/signature/withdraw/{token}/"):
        response = client.post(url)
        assert response.status_code == 400
        assert "not valid" in response.content.decode()


def test_token_of_one_purpose_does_not_work_for_another(client, petition, smtp, fast_forms):
    """A confirmation token cannot be used to withdraw, and the reverse."""
    signature_post(client, petition.url)
    message = smtp.messages[0]
    confirm_token = confirm_link(message).rstrip("/").rsplit("/", 1)[1]
    assert client.post(f"/act/signature/withdraw/{confirm_token}/").status_code == 400
    assert Signature.objects.count() == 1


BAD_INPUTS = {
    "missing name": {"name": None},
    "blank name": {"name": "   "},
    "10 KB name": {"name": "A" * 10_240},
    "missing email": {"email": None},
    "invalid email": {"email": "not-an-address"},
    "missing country": {"country": None},
    "unknown country": {"country": "XX"},
    "long comment": {"comment": "c" * 5_000},
    "NUL in name": {"name": "Ada\x00Lovelace"},
    "honeypot filled": {"website": "http://spam.example"},
    "forged stamp": {"stamp": "form:1abc:forged"},
    "no stamp": {"stamp": None},
}


@pytest.mark.parametrize("fields", BAD_INPUTS.values(), ids=BAD_INPUTS.keys())
def test_bad_input_is_refused_and_stores_nothing(client, petition, smtp, fast_forms, fields):
    """Bad input gets a 400 with a message, stores nothing, sends nothing."""
    SignatureFactory(petition=petition, email="kept@example.org", confirmed_at=timezone.now())
    response = signature_post(client, petition.url, **fields)
    assert response.status_code == 400
    html = response.content.decode()
    assert 'class="error-summary"' in html
    assert Signature.objects.count() == 1, "nothing stored, nothing lost"
    assert smtp.messages == []


def test_a_form_sent_back_too_fast_is_refused(client, petition, smtp, settings):
    """The minimum-time trap: a form posted at once is taken for a bot."""
    settings.ACTIONS_FORM_MIN_SECONDS = 60
    response = signature_post(client, petition.url)
    assert response.status_code == 400
    assert "wait a few seconds" in response.content.decode()
    assert not Signature.objects.exists()


def test_invalid_utf8_is_refused(client, petition, smtp, fast_forms):
    """Bytes that are not UTF-8 get a clear 400 instead of being silently mangled."""
    stamp = form_stamp(client.get(petition.url))
    body = b"name=%FF%FEAda&email=ada%40example.org&country=GB&website=&stamp=" + stamp.encode()
    response = client.post(
        petition.url + "sign/", body, content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 400
    assert "could not be read" in response.content.decode()
    assert not Signature.objects.exists()


def test_closed_and_upcoming_petitions_refuse_signatures(client, home, smtp, fast_forms):
    """After the end date the page shows the closed state, no form, and refuses a POST."""
    now = timezone.now()
    closed = PetitionPageFactory(
        parent=home,
        slug="closed",
        opens_at=now - timezone.timedelta(days=9),
        closes_at=now - timezone.timedelta(days=1),
    )
    upcoming = PetitionPageFactory(
        parent=home, slug="upcoming", opens_at=now + timezone.timedelta(days=1)
    )
    html = client.get(closed.url).content.decode()
    assert "This petition closed on" in html
    assert 'action="/closed/sign/"' not in html
    assert "opens for signing on" in client.get(upcoming.url).content.decode()
    for petition in (closed, upcoming):
        response = client.post(
            petition.url + "sign/",
            {
                "name": "Ada",
                "email": "ada@example.org",
                "country": "GB",
                "stamp": services.form_stamp_make(form="sign"),
            },
        )
        assert response.status_code == 400
    assert "closed" in client.post(closed.url + "sign/", {}).content.decode()
    assert not Signature.objects.exists()
    assert smtp.messages == []


def test_rate_limit_per_address(client, petition, smtp, fast_forms, settings):
    """More signatures from one IP address than the limit get a 429 and store nothing."""
    settings.ACTIONS_RATE_LIMIT = (2, 600)
    for n in range(2):
        assert signature_post(client, petition.url, email=f"s{n}@example.org").status_code == 303
    response = signature_post(client, petition.url, email="third@example.org")
    assert response.status_code == 429
    assert "Too many" in response.content.decode()
    assert Signature.objects.count() == 2


def test_confirmation_emails_to_one_address_are_limited(client, petition, smtp, fast_forms):
    """Nobody can use the form to flood one inbox with confirmation emails."""
    for _ in range(3):
        assert signature_post(client, petition.url).status_code == 303
    assert signature_post(client, petition.url).status_code == 429
    assert len(smtp.to("ada@example.org")) == 3


def test_csrf_is_enforced(petition, smtp, fast_forms):
    """A cross-site POST without the CSRF token is refused."""
    client = Client(enforce_csrf_checks=True)
    stamp = form_stamp(client.get(petition.url))
    response = client.post(
        petition.url + "sign/",
        {"name": "Ada", "email": "ada@example.org", "country": "GB", "stamp": stamp},
    )
    assert response.status_code == 403
    assert not Signature.objects.exists()


def test_mail_server_down_keeps_the_signature_and_queues_its_mail(
    client, petition, no_smtp, fast_forms
):
    """The request never talks to the mail server: with it down the signer gets the same
    answer, and the signature and its confirmation wait in the outbox for the sender."""
    response = signature_post(client, petition.url)
    assert response.status_code == 303
    signature = Signature.objects.get()
    [queued] = OutgoingMail.objects.all()
    assert (queued.recipient, queued.purpose) == (signature.email, "signature-confirm")
    assert queued.sent_at is None and queued.attempts == 0


def test_petition_page_is_private_to_caches(client, petition):
    """The form page carries a CSRF token: shared caches must not keep it."""
    response = client.get(petition.url)
    assert "private" in response["Cache-Control"]
    assert "no-store" in response["Cache-Control"]


def test_sign_route_only_takes_post(client, petition):
    """GET on the signing address sends people back to the petition."""
    response = client.get(petition.url + "sign/")
    assert response.status_code == 302
    assert response["Location"] == petition.url
