"""Editors: counts, the signatures export, erasure, retention and sending from the admin."""

import csv
import datetime as dt
import io

import pytest
from django.contrib.auth.models import Group, Permission
from django.core.management import CommandError, call_command
from django.utils import timezone
from wagtail.models import ModelLogEntry, PageLogEntry

from vigil.actions.models import ActionSettings, Delivery, Mailing, Signature, Subscriber
from vigil.actions.tests.factories import SignatureFactory, SubscriberFactory
from vigil.news.tests.factories import UpdatePageFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def editor(django_user_model):
    """A Wagtail editor without any of the petition permissions."""
    user = django_user_model.objects.create_user("editor", password="x" * 16)
    user.groups.add(Group.objects.get(name="Editors"))
    return user


def refused(response) -> bool:
    """A missing permission is a 403 page saying so (vigil/core/refusals.py)."""
    return (
        response.status_code == 403
        and "Your account is not allowed to" in response.content.decode()
    )


def grant(user, *codenames):
    user.user_permissions.add(
        *Permission.objects.filter(content_type__app_label="actions", codename__in=codenames)
    )


def test_overview_shows_counts_without_personal_data(admin_client, petition):
    """The overview counts signatures; it never lists who signed."""
    now = timezone.now()
    SignatureFactory.create_batch(2, petition=petition, confirmed_at=now)
    SignatureFactory(petition=petition, email="pending@example.org")
    SubscriberFactory.create_batch(4)
    response = admin_client.get("/admin/actions/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Free the test person" in html
    assert "<td>2</td><td>1</td>" in html
    assert "<td>English</td><td>4</td>" in html
    assert "example.org" not in html


def test_export_needs_its_own_permission(client, editor, petition):
    """Editors cannot export signatures unless given the separate permission."""
    client.force_login(editor)
    assert refused(client.get(f"/admin/actions/petitions/{petition.pk}/signatures.csv"))
    assert not PageLogEntry.objects.filter(action="vigil.export_signatures").exists()
    assert "Signatures (CSV)" not in client.get("/admin/actions/").content.decode()


def test_export_is_complete_safe_and_audited(client, editor, petition):
    """The CSV holds every signature, defuses formulas, and lands in the audit log."""
    grant(editor, "export_signature")
    client.force_login(editor)
    SignatureFactory(petition=petition, name="=HYPERLINK(1)", confirmed_at=timezone.now())
    SignatureFactory(petition=petition, name="Ada Lovelace", comment="+1 from me")
    response = client.get(f"/admin/actions/petitions/{petition.pk}/signatures.csv")
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    assert rows[0][:3] == ["name", "email", "country"]
    assert len(rows) == 3
    names = {row[0] for row in rows[1:]}
    assert names == {"'=HYPERLINK(1)", "Ada Lovelace"}
    assert "'+1 from me" in {row[3] for row in rows[1:]}
    entry = PageLogEntry.objects.get(page=petition, action="vigil.export_signatures")
    assert entry.user == editor
    assert entry.data == {"confirmed": 1}


def test_export_of_unknown_petition_is_404(admin_client):
    assert admin_client.get("/admin/actions/petitions/999999/signatures.csv").status_code == 404


def test_export_opens_in_excel_with_its_letters(admin_client, petition):
    """Excel reads a CSV as UTF-8 only when it starts with a byte order mark; without it
    Cyrillic and Kazakh names come out garbled. Formulas stay defused, the address too."""
    SignatureFactory(petition=petition, name="Қайрат Әбілов", email="=cmd@example.org")
    response = admin_client.get(f"/admin/actions/petitions/{petition.pk}/signatures.csv")
    body = b"".join(response.streaming_content)
    assert body.startswith(b"\xef\xbb\xbf"), "a UTF-8 byte order mark comes first"
    assert body.count(b"\xef\xbb\xbf") == 1
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    assert rows[0][0] == "name"
    assert rows[1][:2] == ["Қайрат Әбілов", "'=cmd@example.org"]


def test_erase_a_person_everywhere(admin_client, petition, updates_index, admin_user, home):
    """Erasure removes one address from signatures, subscriptions and mail records."""
    from vigil.actions import services

    other = (
        type(petition)
        .objects.get(pk=petition.pk)
        .copy(update_attrs={"slug": "second", "title": "Second"})
    )
    for page in (petition, other):
        SignatureFactory(petition=page, email="gone@example.org", confirmed_at=timezone.now())
    SignatureFactory(petition=petition, email="stays@example.org")
    SubscriberFactory(email="gone@example.org")
    SubscriberFactory(email="stays@example.org")
    mailing = services.mailing_create(page=UpdatePageFactory(parent=updates_index), user=None)
    services.mailing_start(mailing)

    response = admin_client.post(
        "/admin/actions/erase/", {"email": " GONE@example.org ", "confirm": "on"}, follow=True
    )
    assert response.status_code == 200
    assert "Erased: 2 signatures, 1 subscriptions, 1 email records." in response.content.decode()
    assert list(Signature.objects.values_list("email", flat=True)) == ["stays@example.org"]
    assert list(Subscriber.objects.values_list("email", flat=True)) == ["stays@example.org"]
    assert list(Delivery.objects.values_list("email", flat=True)) == ["stays@example.org"]
    entries = list(PageLogEntry.objects.filter(action="vigil.erase_person"))
    assert len(entries) == 2
    assert all("gone@" not in str(entry.data) for entry in entries)
    assert ModelLogEntry.objects.filter(action="vigil.erase_person").exists()


@pytest.mark.parametrize(
    "data", [{"email": "not-an-email", "confirm": "on"}, {"email": "a@example.org"}, {}]
)
def test_erase_bad_input_erases_nothing(admin_client, petition, data):
    SignatureFactory(petition=petition, email="a@example.org")
    response = admin_client.post("/admin/actions/erase/", data)
    assert response.status_code == 400
    assert Signature.objects.count() == 1


def test_erase_needs_delete_permissions(client, editor):
    client.force_login(editor)
    assert refused(client.get("/admin/actions/erase/"))
    assert refused(
        client.post("/admin/actions/erase/", {"email": "a@example.org", "confirm": "on"})
    )


def test_erase_person_command(petition):
    SignatureFactory(petition=petition, email="gone@example.org")
    out = io.StringIO()
    call_command("erase_person", "gone@example.org", stdout=out)
    assert "Erased 1 signatures" in out.getvalue()
    assert not Signature.objects.exists()
    with pytest.raises(CommandError, match="not an email address"):
        call_command("erase_person", "nonsense")


def test_unconfirmed_signatures_are_purged_after_the_retention_period(petition):
    """The retention setting decides when unconfirmed signatures and subscriptions go."""
    settings_row = ActionSettings.load()
    settings_row.unconfirmed_retention_days = 3
    settings_row.save()
    old = timezone.now() - dt.timedelta(days=4)
    stale = SignatureFactory(petition=petition)
    Signature.objects.filter(pk=stale.pk).update(created_at=old)
    fresh = SignatureFactory(petition=petition)
    confirmed_old = SignatureFactory(petition=petition, confirmed_at=old)
    Signature.objects.filter(pk=confirmed_old.pk).update(created_at=old)
    stale_subscriber = SubscriberFactory(confirmed_at=None)
    Subscriber.objects.filter(pk=stale_subscriber.pk).update(created_at=old)
    out = io.StringIO()
    call_command("purge_unconfirmed", stdout=out)
    assert "Deleted 1 unconfirmed signature.\nDeleted 1 unconfirmed subscription." in (
        out.getvalue()
    )
    assert set(Signature.objects.values_list("pk", flat=True)) == {fresh.pk, confirmed_old.pk}


def test_send_an_update_from_the_admin(client, editor, updates_index, smtp):
    """An editor with the send permission queues an update for every language; the worker
    sends it; the progress page and its JSON show each language's figures."""
    from vigil.actions import services

    update = UpdatePageFactory(parent=updates_index, title="News to send")
    SubscriberFactory.create_batch(2)
    SubscriberFactory(language="kk")
    client.force_login(editor)
    url = f"/admin/actions/mailings/new/{update.pk}/"
    assert refused(client.get(url))
    grant(editor, "send_mailing")
    edit = client.get(f"/admin/pages/{update.pk}/edit/").content.decode()
    assert url in edit, "the page's menu offers 'Send to subscribers'"
    confirm = client.get(url).content.decode()
    assert "<td>English</td><td>2</td>" in confirm
    assert "<td>Қазақша</td><td>1</td>" in confirm
    assert "untranslated: the email says so in their language" in confirm
    response = client.post(url, follow=True)
    assert response.redirect_chain[-1][0] == f"/admin/actions/mailings/{update.pk}/"
    page = response.content.decode()
    assert "is queued for 3 subscribers" in page
    assert "actions/mailing-progress.js" in page, "the figures update without a reload"
    assert '<meta http-equiv="refresh"' in page, "and without JavaScript, by reloading"
    progress = client.get(f"/admin/actions/mailings/{update.pk}/progress.json").json()
    assert progress["done"] is False
    assert [row["language"] for row in progress["languages"]] == ["en", "ru", "kk"]
    services.mailings_process()
    assert len(smtp.messages) == 3
    progress = client.get(f"/admin/actions/mailings/{update.pk}/progress.json").json()
    assert progress["done"] is True
    assert [(r["sent"], r["total"]) for r in progress["languages"]] == [(2, 2), (0, 0), (1, 1)]
    finished = client.get(f"/admin/actions/mailings/{update.pk}/").content.decode()
    assert "mailing-progress.js" not in finished and "http-equiv" not in finished
    overview = client.get("/admin/actions/").content.decode()
    assert "2 / 2" in overview
    again = client.post(url, follow=True)
    assert "already been sent" in again.content.decode()
    assert Mailing.objects.count() == 3


def test_mailing_progress_needs_the_admin(client, updates_index):
    update = UpdatePageFactory(parent=updates_index)
    response = client.get(f"/admin/actions/mailings/{update.pk}/progress.json")
    assert response.status_code == 302 and "/admin/login/" in response["Location"]


def test_send_refuses_a_draft(admin_client, updates_index):
    draft = UpdatePageFactory(parent=updates_index, live=False)
    assert admin_client.get(f"/admin/actions/mailings/new/{draft.pk}/").status_code == 404
    admin_client.post(f"/admin/actions/mailings/new/{draft.pk}/")
    assert not Mailing.objects.exists()


def test_the_overview_names_languages_rather_than_codes(admin_client):
    SubscriberFactory(language="ru")
    SubscriberFactory(language="kk")
    html = admin_client.get("/admin/actions/").content.decode()
    assert "<td>Русский</td>" in html and "<td>Қазақша</td>" in html
    assert "<td>ru</td>" not in html and "<td>kk</td>" not in html


def test_a_language_outside_the_site_is_named_in_the_editors_language():
    from django.utils import translation

    from vigil.languages.services import language_name

    assert language_name(code="ru") == "Русский"
    with translation.override("ru"):
        assert language_name(code="fr") == "Французский"
    assert language_name(code="xx-unknown") == "xx-unknown"


def test_one_subscriber_is_counted_in_the_singular(admin_client, updates_index, smtp):
    """“queued for 1 subscriber”, never “1 subscribers”."""
    update = UpdatePageFactory(parent=updates_index, title="News to send")
    SubscriberFactory()
    url = f"/admin/actions/mailings/new/{update.pk}/"
    response = admin_client.post(url, follow=True).content.decode()
    assert "is queued for 1 subscriber. Progress" in response
