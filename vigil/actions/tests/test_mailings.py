"""Sending a published update to subscribers: content, headers, batches, crash and resume."""

from collections import Counter

import pytest
from django.core.management import CommandError, call_command
from wagtail.models import PageLogEntry

from vigil.actions import services
from vigil.actions.models import Delivery, Mailing, MailingStatus
from vigil.actions.tests.factories import SubscriberFactory
from vigil.news.tests.factories import UpdatePageFactory
from vigil.testing.mail import message_html, message_text

pytestmark = pytest.mark.django_db


@pytest.fixture
def update(updates_index):
    return UpdatePageFactory(
        parent=updates_index,
        title="Court hearing postponed",
        body=[
            {
                "type": "paragraph",
                "value": '<p>The hearing <a href="/case/">moved</a> to <b>May</b>.</p>',
            }
        ],
    )


def received(inbox) -> Counter:
    return Counter(address for m in inbox.messages for address in m.envelope_to)


def test_update_goes_to_confirmed_subscribers_of_its_language(update, smtp, admin_user):
    """Confirmed subscribers of the update's language get it once, as HTML and text."""
    readers = SubscriberFactory.create_batch(3)
    SubscriberFactory(confirmed_at=None, email="unconfirmed@example.org")
    SubscriberFactory(language="ru", email="russian@example.org")
    mailing = services.mailing_create(page=update, user=admin_user)
    result = services.mailing_send(mailing=mailing)
    assert (result.total, result.sent, result.failed) == (3, 3, 0)
    assert received(smtp) == Counter({reader.email: 1 for reader in readers})
    message = smtp.to(readers[0].email)[0]
    assert message["Subject"] == "Court hearing postponed"
    html = message_html(message)
    assert 'href="http://testserver/case/"' in html, "links are made absolute"
    assert "<b>May</b>" in html
    text = message_text(message)
    assert "The hearing moved to May." in text
    assert update.get_full_url() in text
    unsubscribe = message["List-Unsubscribe"].strip()  # long headers are folded
    assert unsubscribe.startswith("<http://testserver/act/unsubscribe/")
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert message["Message-ID"].startswith(f"<vigil-mailing-{mailing.pk}-")
    mailing.refresh_from_db()
    assert mailing.status == MailingStatus.DONE
    assert PageLogEntry.objects.filter(page=update, action="vigil.mailing_queue").exists()
    sent = PageLogEntry.objects.get(page=update, action="vigil.mailing_sent")
    assert sent.data == {"language": "en", "total": 3, "sent": 3, "failed": 0}


def test_a_crashed_send_resumes_without_duplicates_or_gaps(update, smtp, admin_user):
    """The mail server drops out mid-send; the next run sends the rest, nobody twice."""
    readers = SubscriberFactory.create_batch(7)
    mailing = services.mailing_create(page=update, user=admin_user)
    smtp.fail_after = 3
    with pytest.raises(Exception):  # noqa: B017 - whatever smtplib raises for a 421
        services.mailing_send(mailing=mailing, batch_size=2)
    mailing.refresh_from_db()
    assert mailing.status == MailingStatus.SENDING
    assert mailing.last_error
    assert Delivery.objects.filter(mailing=mailing, sent_at__isnull=False).count() == 3
    joining_late = SubscriberFactory(email="late@example.org")

    smtp.fail_after = None
    call_command("send_mailings", verbosity=0)
    assert received(smtp) == Counter({reader.email: 1 for reader in readers})
    assert joining_late.email not in received(smtp), "the list was fixed when sending began"
    mailing.refresh_from_db()
    assert mailing.status == MailingStatus.DONE
    assert mailing.last_error == ""


def test_refused_recipient_is_retried_then_reported(update, smtp, admin_user):
    """A recipient the server refuses is tried three times, then counted as failed."""
    good = SubscriberFactory.create_batch(2)
    bad = SubscriberFactory(email="gone@example.org")
    smtp.refuse = {bad.email}
    mailing = services.mailing_create(page=update, user=admin_user)
    result = services.mailing_send(mailing=mailing)
    assert (result.sent, result.failed) == (2, 1)
    assert received(smtp) == Counter({s.email: 1 for s in good})
    assert Delivery.objects.get(email=bad.email).attempts == services.MAX_DELIVERY_ATTEMPTS


def test_unsubscribing_mid_send_stops_the_mail(update, smtp, admin_user):
    """Someone who unsubscribes while a send is under way does not get it."""
    stays, leaves = SubscriberFactory.create_batch(2)
    mailing = services.mailing_create(page=update, user=admin_user)
    services.mailing_start(mailing)
    token = services.token_make(
        purpose=services.PURPOSE_UNSUBSCRIBE, pk=leaves.pk, email=leaves.email
    )
    services.subscriber_unsubscribe(token=token)
    services.mailing_send(mailing=mailing)
    assert received(smtp) == Counter({stays.email: 1})


def test_an_update_is_sent_once_and_only_when_published(update, updates_index, admin_user):
    """Sending twice to the same language, or sending a draft, is refused."""
    services.mailing_create(page=update, user=admin_user)
    with pytest.raises(services.MailingRefused, match="already been sent"):
        services.mailing_create(page=update, user=admin_user)
    draft = UpdatePageFactory(parent=updates_index, live=False)
    with pytest.raises(services.MailingRefused, match="published"):
        services.mailing_create(page=draft, user=admin_user)
    assert Mailing.objects.count() == 1


def test_send_command_queues_shows_progress_and_refuses_bad_ids(update, smtp, capsys):
    """`send_mailings --queue ID` sends with a progress bar; unknown IDs are an error."""
    SubscriberFactory.create_batch(2)
    call_command("send_mailings", queue=update.pk)
    out = capsys.readouterr().out
    assert "2/2" in out
    assert "3 mailings finished." in out, "one per language"
    with pytest.raises(CommandError, match="No update"):
        call_command("send_mailings", queue=999_999)
    with pytest.raises(CommandError, match="already been sent"):
        call_command("send_mailings", queue=update.pk)


def test_send_command_reports_a_dead_mail_server(update, no_smtp, admin_user):
    SubscriberFactory()
    services.mailing_create(page=update, user=admin_user)
    with pytest.raises(CommandError, match="Run the command again to resume"):
        call_command("send_mailings", verbosity=0)
    assert Mailing.objects.get().status == MailingStatus.SENDING


def test_queuing_a_mailing_enqueues_its_send_for_a_worker(updates_index, smtp):
    """The editor's send enqueues the task in the mailing's own transaction; a worker
    sends it, and nothing is sent before one runs."""
    from vigil.testing.tasks import tasks_run

    update = UpdatePageFactory(parent=updates_index)
    SubscriberFactory.create_batch(3)
    services.mailing_create(page=update, user=None)
    assert Mailing.objects.get().status == MailingStatus.QUEUED and not smtp.messages
    assert "vigil.actions.services.mailings.mailings_send" in tasks_run()
    assert Mailing.objects.get().status == MailingStatus.DONE
    assert len(smtp.messages) == 3
