"""The outbox (issue 18, items 1, 7, 10, 12): what the background sender does with the
mail requests queue, the ceilings on mails per minute, single-use form stamps, password
resets and tokens kept out of the log. In-process; the attacks over HTTP against the
production server are in test_attacks_live.py."""

import datetime as dt
import io
import logging

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.utils import timezone

from vigil.actions import services
from vigil.actions.log_filters import TokenRedactFilter
from vigil.actions.models import ConsumedStamp, OutgoingMail, Signature
from vigil.actions.services.outbox import OUTBOX_MAX_ATTEMPTS
from vigil.actions.tests.helpers import form_stamp, signature_post
from vigil.testing.mail import message_links

pytestmark = pytest.mark.django_db


def queue(n: int, domain: str) -> None:
    for i in range(n):
        services.outbox_add(
            to=f"r{i}@{domain}", subject="s", purpose="test", text="t", html="<p>t</p>"
        )


def test_a_sent_mail_is_emptied_at_once_and_deleted_after_its_retention(smtp, settings):
    queue(1, "example.org")
    assert services.outbox_send() == 1
    [message] = smtp.to("r0@example.org")
    assert message["Message-ID"].startswith("<vigil-outbox-")
    row = OutgoingMail.objects.get()
    assert row.sent_at and row.attempts == 1
    assert (row.recipient, row.subject, row.body_text, row.body_html) == ("", "", "", "")
    assert services.outbox_send() == 0, "a sent mail is not sent again"
    later = timezone.now() + dt.timedelta(seconds=settings.ACTIONS_OUTBOX_RETENTION + 1)
    assert services.outbox_purge(now=later)["mails"] == 1
    assert not OutgoingMail.objects.exists()


def test_a_failure_is_retried_with_back_off_logged_without_the_address(no_smtp, caplog):
    services.outbox_add(to="secret.person@example.org", subject="s", purpose="test", text="t")
    moment = timezone.now()
    delays = []
    with caplog.at_level(logging.WARNING, logger="vigil.actions.services.outbox"):
        for _attempt in range(OUTBOX_MAX_ATTEMPTS):
            before = timezone.now()
            assert services.outbox_send(now=moment) == 0
            row = OutgoingMail.objects.get()
            if row.failed_at:
                break
            delays.append((row.next_attempt_at - before).total_seconds())
            assert services.outbox_send(now=moment) == 0, "nothing is due before its time"
            moment = row.next_attempt_at
    assert row.attempts == OUTBOX_MAX_ATTEMPTS and row.failed_at
    assert row.recipient == "" and row.body_text == ""
    assert [round(d / 60) for d in delays] == [1, 4, 16, 64, 256]
    assert "given up" in caplog.text
    assert "secret.person" not in caplog.text and "example.org" not in caplog.text


def to_domain(smtp, domain: str) -> list:
    return [m for m in smtp.messages if m.envelope_to[0].endswith("@" + domain)]


def test_ceilings_per_minute_keep_mail_queued_not_dropped(smtp, settings):
    """Beyond the site-wide and the per-domain ceiling mail waits for a later minute;
    a flood to one domain does not hold up mail to other domains."""
    settings.ACTIONS_MAIL_PER_MINUTE = 5
    settings.ACTIONS_MAIL_PER_DOMAIN_PER_MINUTE = 2
    queue(6, "victim.example")
    queue(2, "other.example")
    now = timezone.now()
    assert services.outbox_send(now=now) == 4
    sent = {m.envelope_to[0].split("@")[1] for m in smtp.messages}
    assert sent == {"victim.example", "other.example"}
    assert len(to_domain(smtp, "victim.example")) == 2
    # Within the same minute nothing more goes.
    assert services.outbox_send(now=now + dt.timedelta(seconds=30)) == 0
    # The sliding minute counts real send times: wait until they are a minute old.
    for row in OutgoingMail.objects.filter(sent_at__isnull=False):
        OutgoingMail.objects.filter(pk=row.pk).update(
            sent_at=row.sent_at - dt.timedelta(seconds=61)
        )
    assert services.outbox_send() == 2
    assert len(to_domain(smtp, "victim.example")) == 4
    settings.ACTIONS_MAIL_PER_DOMAIN_PER_MINUTE = 10
    assert services.outbox_send() == 2  # the site-wide ceiling: 5 a minute in all
    assert OutgoingMail.objects.filter(sent_at__isnull=True).count() == 0
    assert len(smtp.messages) == 8


def test_a_form_stamp_works_once_and_only_for_its_form(client, petition, smtp, fast_forms):
    page = client.get(petition.url)
    stamp = form_stamp(page)
    assert signature_post(client, petition.url, stamp=stamp).status_code == 303
    again = signature_post(client, petition.url, stamp=stamp, email="bob@example.org")
    assert again.status_code == 400
    assert Signature.objects.count() == 1
    subscribe_stamp = form_stamp(client.get("/act/subscribe/"))
    other_form = signature_post(client, petition.url, stamp=subscribe_stamp, email="c@example.org")
    assert other_form.status_code == 400
    assert Signature.objects.count() == 1
    assert ConsumedStamp.objects.count() == 1, "only the stamp that was accepted is used up"


def test_used_stamps_are_purged_after_their_max_age(settings):
    stamp = services.form_stamp_make(form="sign")
    settings.ACTIONS_FORM_MIN_SECONDS = 0
    assert services.form_stamp_valid(stamp=stamp, form="sign")
    later = timezone.now() + dt.timedelta(seconds=settings.ACTIONS_FORM_MAX_AGE + 1)
    assert services.outbox_purge(now=later)["stamps"] == 1


def test_tokens_of_email_links_never_reach_the_log(client, petition, smtp, fast_forms):
    """Django logs the path of every 4xx ("Gone: /act/signature/withdraw/<token>/"): the
    handlers' filter (LOGGING) replaces the token."""
    signature_post(client, petition.url)
    [message] = smtp.to("ada@example.org")
    withdraw = next(url for url in message_links(message) if "/withdraw/" in url)
    token = withdraw.rstrip("/").rsplit("/", 1)[1]
    Signature.objects.all().delete()
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(TokenRedactFilter())
    request_log = logging.getLogger("django.request")
    request_log.addHandler(handler)
    try:
        path = "/act/signature/withdraw/" + token + "/"
        assert client.get(path).status_code == 410
        assert client.get("/act/signature/confirm/" + token + "x/").status_code == 400
        assert Client().post("/ru/act/unsubscribe/" + token + "/").status_code == 400
    finally:
        request_log.removeHandler(handler)
    logged = stream.getvalue()
    assert "/act/signature/withdraw/[token]/" in logged
    assert "/ru/act/unsubscribe/[token]/" in logged
    assert token not in logged


def test_the_configured_handlers_carry_the_filter(settings):
    handlers = settings.LOGGING["handlers"]
    assert all("tokens" in handler.get("filters", []) for handler in handlers.values())


# --- password reset ----------------------------------------------------------------------


@pytest.fixture
def editor(db):
    return get_user_model().objects.create_user(
        username="editor", email="editor@example.org", password="a long passphrase 1"
    )


def reset(client, email: str, ip: str = "192.0.2.1"):
    return client.post("/admin/password_reset/", {"email": email}, REMOTE_ADDR=ip)


def test_password_reset_answers_the_same_and_only_queues(client, editor, smtp):
    known = reset(client, "editor@example.org")
    unknown = reset(client, "nobody@example.org")
    assert known.status_code == unknown.status_code == 302
    assert known["Location"] == unknown["Location"]
    # The request looked nothing up: both are queued alike, as bare requests.
    assert sorted(OutgoingMail.objects.values_list("kind", "recipient")) == [
        ("password-reset", "editor@example.org"),
        ("password-reset", "nobody@example.org"),
    ]
    [message] = smtp.messages  # resolved by the sender: the unknown address gets nothing
    assert message.envelope_to == ["editor@example.org"]
    assert "/admin/password_reset/confirm/" in message.get_body(("plain",)).get_content()
    assert not OutgoingMail.objects.filter(sent_at__isnull=True).exists()


def test_password_reset_is_limited_per_address_and_per_ip(client, editor, smtp, settings):
    answers = [
        reset(client, "editor@example.org", ip=f"192.0.2.{n}").status_code for n in range(20)
    ]
    assert answers == [302] * settings.VIGIL_PASSWORD_RESET_PER_ADDRESS + [429] * (
        20 - settings.VIGIL_PASSWORD_RESET_PER_ADDRESS
    )
    assert len(smtp.to("editor@example.org")) == settings.VIGIL_PASSWORD_RESET_PER_ADDRESS
    per_ip = [
        reset(client, f"u{n}@example.org", ip="198.51.100.7").status_code
        for n in range(settings.VIGIL_PASSWORD_RESET_PER_IP + 1)
    ]
    assert per_ip[-1] == 429 and set(per_ip[:-1]) == {302}
    assert (
        "Too many password reset requests"
        in reset(client, "u0@example.org", ip="198.51.100.7").content.decode()
    )
