"""A team member who is not a superuser: the groups every site has, what each opens, and
refusals that say what is missing and whom to ask."""

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse
from wagtail.models import GroupPagePermission, Page
from wagtail.users.models import UserProfile

from vigil.accounts.tests.factories import SuperUserFactory, UserFactory
from vigil.actions.models import Signature
from vigil.actions.tests.factories import PetitionPageFactory, SignatureFactory
from vigil.news.tests.factories import UpdatePageFactory

pytestmark = pytest.mark.django_db


def perms(group_name: str) -> set[str]:
    group = Group.objects.get(name=group_name)
    return {f"{p.content_type.app_label}.{p.codename}" for p in group.permissions.all()}


def test_every_site_has_the_team_groups():
    """The migrations make them, so a site without the demo has them too."""
    campaign = {
        "support.add_statement",
        "cases.change_timelineevent",
        "actions.add_externalpetition",
        "news.add_tagtranslation",
        "news.add_series",
        "wagtaildocs.add_document",
        "wagtailimages.add_image",
    }
    supporters = {
        "actions.send_mailing",
        "actions.export_signature",
        "actions.delete_signature",
        "actions.delete_subscriber",
    }
    assert campaign <= perms("Editors") and not supporters & perms("Editors")
    assert campaign <= perms("Moderators") and not supporters & perms("Moderators")
    # Every group sees Reports > Background tasks (did the mailing, the publish go out?).
    tasks = "django_tasks_database.view_dbtaskresult"
    assert tasks in perms("Editors") and tasks in perms("Moderators")
    assert perms("Mail senders") == {"wagtailadmin.access_admin", "actions.send_mailing", tasks}
    assert perms("Signer data") == {
        "wagtailadmin.access_admin",
        tasks,
        "actions.export_signature",
        "actions.delete_signature",
        "actions.delete_subscriber",
    }
    root = Page.get_first_root_node()
    publishers = GroupPagePermission.objects.filter(page=root, permission__codename="publish_page")
    assert {p.group.name for p in publishers} == {"Moderators"}


@pytest.fixture
def editor(client, db):
    user = UserFactory(username="sam", first_name="Sam", last_name="Team")
    client.force_login(user)
    return user


@pytest.mark.parametrize(
    "url_name",
    [
        "wagtailsnippets_support_statement:add",
        "wagtailsnippets_cases_timelineevent:add",
        "wagtailsnippets_actions_externalpetition:add",
        "wagtailsnippets_news_tagtranslation:add",
        "wagtailsnippets_news_series:add",
        "wagtailsnippets_support_statement:list",
        "wagtailsnippets_cases_timelineevent:list",
        "wagtailsnippets_actions_externalpetition:list",
        "wagtaildocs:add",
        "wagtailimages:add",
        "actions_admin:overview",
    ],
)
def test_an_editor_opens_every_campaign_task(client, editor, url_name):
    response = client.get(reverse(url_name))
    assert response.status_code == 200, response.get("Location")


def test_an_editor_writes_an_update_and_submits_it(client, editor, updates_index):
    url = reverse("wagtailadmin_pages:add", args=("news", "updatepage", updates_index.pk))
    html = client.get(url).content.decode()
    assert "action-submit" in html, "Submit to moderators is offered"
    assert 'name="action-publish"' not in html, "publishing is a moderator's"


@pytest.fixture
def administrator(db):
    return SuperUserFactory(
        username="boss", first_name="Aigerim", last_name="Admin", email="boss@example.org"
    )


ERASE = "erase a person&#x27;s data"


def _refusal(response) -> str:
    assert response.status_code == 403
    return response.content.decode()


@pytest.mark.parametrize(
    ("method", "path", "action", "permission", "group"),
    [
        (
            "get",
            "/admin/actions/petitions/{petition}/signatures.csv",
            "export the signatures of a petition",
            "Can export signatures as CSV",
            "Signer data",
        ),
        ("get", "/admin/actions/erase/", ERASE, "Can delete", "Signer data"),
        ("post", "/admin/actions/erase/", ERASE, "Can delete", "Signer data"),
        (
            "get",
            "/admin/actions/mailings/new/{update}/",
            "send updates to subscribers",
            "Can send updates to subscribers",
            "Mail senders",
        ),
        (
            "post",
            "/admin/actions/mailings/new/{update}/",
            "send updates to subscribers",
            "Can send updates to subscribers",
            "Mail senders",
        ),
    ],
)
def test_a_refusal_says_what_is_missing_and_whom_to_ask(
    client, editor, administrator, updates_index, method, path, action, permission, group
):
    petition = PetitionPageFactory(parent=updates_index.get_parent())
    SignatureFactory(petition=petition, email="kept@example.org")
    update = UpdatePageFactory(parent=updates_index)
    url = path.format(petition=petition.pk, update=update.pk)
    data = {"email": "kept@example.org", "confirm": "on"} if method == "post" else None
    html = _refusal(getattr(client, method)(url, data))
    assert f"Your account is not allowed to {action}." in html
    assert permission in html
    assert f"<strong>{group}</strong>" in html
    assert "<strong>Editors</strong>" not in html, "only the groups that allow it"
    assert "Aigerim Admin" in html and "boss@example.org" in html
    assert Signature.objects.filter(email="kept@example.org").exists()
    assert not update.mailings.exists()


def test_the_refusal_is_in_the_editors_language(client, editor, administrator):
    profile = UserProfile.get_for_user(editor)
    profile.preferred_language = "ru"
    profile.save()
    html = _refusal(client.get("/admin/actions/erase/"))
    assert "не разрешено удалять данные человека" in html
    assert "Aigerim Admin" in html


def test_wagtails_own_refusals_say_whom_to_ask(client, editor, administrator):
    """Wagtail would send the editor home with "Sorry, you do not have permission"."""
    html = _refusal(client.get("/admin/users/"))
    assert "Your account is not allowed to open <code>/admin/users/</code>" in html
    for group in ("Editors", "Moderators", "Mail senders", "Signer data"):
        assert f"<strong>{group}</strong>" in html
    assert "boss@example.org" in html
    xhr = client.get("/admin/users/", headers={"x-requested-with": "XMLHttpRequest"})
    assert xhr.status_code == 403


def test_the_overview_says_which_group_sends_mail_and_exports(client, editor):
    """The missing buttons are explained, not only left out."""
    html = client.get("/admin/actions/").content.decode()
    assert "for members of the group “Mail senders”" in html
    assert "for members of the group “Signer data”" in html
    editor.groups.add(Group.objects.get(name="Mail senders"), Group.objects.get(name="Signer data"))
    html = client.get("/admin/actions/").content.decode()
    assert "Mail senders" not in html and "Signer data" not in html
