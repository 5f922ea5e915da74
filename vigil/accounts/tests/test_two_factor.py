"""Two-factor authentication: set-up, verification, recovery codes, reset."""

import re

import pytest
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from wagtail.models import ModelLogEntry

from vigil.accounts import sealing, services
from vigil.accounts.models import EnrolmentInvitation
from vigil.accounts.tests.factories import PASSWORD, SuperUserFactory, UserFactory
from vigil.testing.accounts import enrol, enrolment_path, totp_now

pytestmark = pytest.mark.django_db


def sign_in(client, user, *, ip="10.0.0.1"):
    response = client.post(
        "/admin/login/", {"username": user.username, "password": PASSWORD}, REMOTE_ADDR=ip
    )
    assert response.status_code == 302, response.content[:500]
    return response


def sign_in_through_link(client, user):
    """What a new editor does: open the emailed link, sign in, arrive at set-up."""
    link = enrolment_path(user)
    response = client.get(link)
    assert response["Location"] == f"/admin/login/?next={link}"
    sign_in(client, user)
    response = client.get(link)
    assert response["Location"].startswith("/admin/two-factor/setup/")
    return link


def actions_for(user) -> list[str]:
    return list(
        ModelLogEntry.objects.filter(object_id=str(user.pk))
        .order_by("timestamp", "pk")
        .values_list("action", flat=True)
    )


def test_an_editor_without_a_device_is_sent_to_set_up_before_any_admin_page(client, require_2fa):
    """After the password, every admin page leads to the set-up page until a code confirms."""
    user = UserFactory()
    sign_in(client, user)
    for path in ("/admin/", "/admin/pages/", "/admin/reports/site-history/"):
        response = client.get(path)
        assert response.status_code == 302
        assert response["Location"].startswith("/admin/two-factor/setup/?next=")
    # Signing out stays open before the second factor.
    response = client.post("/admin/logout/")
    assert response.status_code == 302 and "_auth_user_id" not in client.session


def test_set_up_shows_a_server_made_qr_code_and_the_secret(client, require_2fa):
    user = UserFactory()
    sign_in_through_link(client, user)
    response = client.get("/admin/two-factor/setup/")
    assert response.status_code == 200
    html = response.content.decode()
    svg = re.search(r"<svg.*?</svg>", html, re.S).group(0)
    assert "<path" in svg
    assert "style=" not in svg and "<script" not in svg and "on" + "load=" not in svg
    assert 'role="img"' in html
    # Signing out is a POST (Django's LogoutView takes nothing else).
    assert 'method="post" action="/admin/logout/"' in html
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    assert services.totp_secret_text(device=device) in html


def test_every_set_up_page_has_a_new_secret_and_an_earlier_one_never_passes(client, require_2fa):
    """A secret seen before enrolment (over a shoulder, in a screenshot) must not
    become the account's, nor pass after the editor enrolled with a later one."""
    require_2fa.OTP_TOTP_THROTTLE_FACTOR = 0  # django-otp's wait after a wrong code
    user = UserFactory()
    sign_in_through_link(client, user)
    seen = []
    for _load in range(3):
        html = client.get("/admin/two-factor/setup/").content.decode()
        seen.append(re.search(r'class="vigil-secret">([A-Z2-7 ]+)<', html).group(1))
    assert len(set(seen)) == 3
    assert TOTPDevice.objects.filter(user=user).count() == 1
    earlier = TOTPDevice(key=sealing.totp_key_seal(key=_key(seen[0])))
    response = client.post("/admin/two-factor/setup/", {"code": totp_now(earlier)})
    assert response.status_code == 400
    assert not services.two_factor_enabled(user=user)
    current = TOTPDevice.objects.get(user=user)
    assert client.post("/admin/two-factor/setup/", {"code": totp_now(current)}).status_code == 302
    # After enrolment, a code from the earlier secret does not pass the second factor.
    client.logout()
    sign_in(client, user)
    response = client.post("/admin/two-factor/verify/", {"code": totp_now(earlier, offset=1)})
    assert response.status_code == 400


def _key(secret_text: str) -> bytes:
    from base64 import b32decode

    secret = "".join(secret_text.split())
    return b32decode(secret + "=" * (-len(secret) % 8))


def test_a_password_alone_sets_up_nothing(client, require_2fa):
    """Whoever learns a new editor's password cannot enrol their own phone."""
    user = UserFactory()
    sign_in(client, user)
    response = client.get("/admin/two-factor/setup/")
    assert response.status_code == 403
    html = response.content.decode()
    assert "vigil-secret" not in html and "<svg" not in html
    assert "one-time link" in html
    assert client.post("/admin/two-factor/setup/", {"code": "123456"}).status_code == 403
    assert not TOTPDevice.objects.filter(user=user).exists()
    # Another account's link, or a made-up one, does not open set-up either.
    other = UserFactory()
    for link in (enrolment_path(other), "/admin/two-factor/enrol/" + "A" * 43 + "/"):
        response = client.get(link, follow=True)
        assert response.status_code == 403 and "does not work" in response.content.decode()
        assert "vigil-secret" not in response.content.decode()
    assert client.get("/admin/two-factor/setup/").status_code == 403


def test_a_set_up_link_works_once(client, require_2fa):
    user = UserFactory()
    link = sign_in_through_link(client, user)
    client.get("/admin/two-factor/setup/")
    device = TOTPDevice.objects.get(user=user)
    assert client.post("/admin/two-factor/setup/", {"code": totp_now(device)}).status_code == 302
    services.two_factor_reset(user=user, by=None)
    client.logout()
    sign_in(client, user)
    response = client.get(link, follow=True)
    assert response.status_code == 403
    assert "does not work" in response.content.decode()


def test_a_wrong_code_confirms_nothing(client, require_2fa):
    user = UserFactory()
    sign_in_through_link(client, user)
    client.get("/admin/two-factor/setup/")
    device = TOTPDevice.objects.get(user=user)
    wrong = f"{(int(totp_now(device)) + 1) % 1_000_000:06d}"
    response = client.post("/admin/two-factor/setup/", {"code": wrong})
    assert response.status_code == 400
    assert "That code is not right" in response.content.decode()
    assert not TOTPDevice.objects.get(pk=device.pk).confirmed
    assert client.get("/admin/").status_code == 302
    response = client.post("/admin/two-factor/setup/", {"code": "12<script>"})
    assert response.status_code == 400
    assert "Enter only the letters and digits" in response.content.decode()


def test_confirming_gives_ten_recovery_codes_shown_once(client, require_2fa, mailoutbox):
    user = UserFactory()
    sign_in_through_link(client, user)
    client.get("/admin/two-factor/setup/")
    device = TOTPDevice.objects.get(user=user)
    response = client.post(
        "/admin/two-factor/setup/", {"code": totp_now(device), "next": "/admin/pages/"}
    )
    assert response.status_code == 302
    assert response["Location"] == "/admin/two-factor/recovery-codes/?next=%2Fadmin%2Fpages%2F"
    page = client.get(response["Location"])
    shown = re.findall(r"<li><code>([a-z2-7]+)</code></li>", page.content.decode())
    stored = set(StaticToken.objects.filter(device__user=user).values_list("token", flat=True))
    # Only digests are kept: the database does not hold the codes themselves.
    assert len(shown) == 10 and not set(shown) & stored
    assert {sealing.recovery_code_digest(code=code) for code in shown} == stored
    assert "no-store" in page["Cache-Control"]
    again = client.get("/admin/two-factor/recovery-codes/").content.decode()
    assert not re.findall(r"<li><code>", again)
    assert "You have 10 unused recovery codes." in again
    assert client.get("/admin/").status_code == 200
    assert actions_for(user) == ["vigil.enrolment_link", "vigil.sign_in", "vigil.two_factor_setup"]
    setup = ModelLogEntry.objects.get(object_id=str(user.pk), action="vigil.two_factor_setup")
    assert setup.data == {"ip": "127.0.0.1"}
    notice = mailoutbox[-1]
    assert notice.to == [user.email]
    assert "authenticator app was set up" in notice.body and "If this was not you" in notice.body


def test_an_editor_with_a_device_must_enter_a_code(client, require_2fa):
    # django-otp makes a device wait after a wrong code (1, 2, 4… s); not under test here.
    require_2fa.OTP_TOTP_THROTTLE_FACTOR = 0
    user = UserFactory()
    enrol(user)
    sign_in(client, user)
    response = client.get("/admin/pages/")
    assert response["Location"] == "/admin/two-factor/verify/?next=%2Fadmin%2Fpages%2F"
    device = TOTPDevice.objects.get(user=user)
    response = client.post("/admin/two-factor/verify/", {"code": "000000", "next": "/admin/pages/"})
    assert response.status_code == 400
    assert client.get("/admin/pages/").status_code == 302
    response = client.post(
        "/admin/two-factor/verify/", {"code": totp_now(device, offset=1), "next": "/admin/pages/"}
    )
    assert response["Location"] == "/admin/pages/"
    assert client.get("/admin/pages/").status_code == 200
    assert actions_for(user)[-3:] == [
        "vigil.sign_in",
        "vigil.two_factor_failed",
        "vigil.two_factor_verified",
    ]


def test_a_wrong_code_makes_the_next_try_wait(client, require_2fa):
    """Guessing six digits is slowed down: right after a wrong code even the right one fails."""
    user = UserFactory()
    enrol(user)
    sign_in(client, user)
    device = TOTPDevice.objects.get(user=user)
    client.post("/admin/two-factor/verify/", {"code": "000000"})
    response = client.post("/admin/two-factor/verify/", {"code": totp_now(device, offset=1)})
    assert response.status_code == 400
    assert "wait a few seconds" in response.content.decode()


def test_a_recovery_code_works_once(client, require_2fa):
    user = UserFactory()
    codes = enrol(user)
    sign_in(client, user)
    response = client.post("/admin/two-factor/verify/", {"code": codes[3].upper()})
    assert response["Location"] == "/admin/"
    assert StaticToken.objects.filter(device__user=user).count() == 9
    client.logout()
    sign_in(client, user)
    response = client.post("/admin/two-factor/verify/", {"code": codes[3]})
    assert response.status_code == 400
    assert "used already" in response.content.decode()


def test_verify_refuses_an_outside_next_address(client, require_2fa):
    user = UserFactory()
    codes = enrol(user)
    sign_in(client, user)
    response = client.post(
        "/admin/two-factor/verify/", {"code": codes[0], "next": "https://evil.example/"}
    )
    assert response["Location"] == "/admin/"


def test_new_recovery_codes_replace_the_old(client, require_2fa):
    user = UserFactory()
    old = enrol(user)
    sign_in(client, user)
    client.post("/admin/two-factor/verify/", {"code": old[0]})
    response = client.post("/admin/two-factor/recovery-codes/")
    assert response.status_code == 302
    new = re.findall(
        r"<li><code>([a-z2-7]+)</code></li>", client.get(response.url).content.decode()
    )
    assert len(new) == 10 and not set(new) & set(old)
    assert "vigil.recovery_codes_new" in actions_for(user)


def test_without_the_setting_no_second_factor_is_asked(client, settings):
    settings.VIGIL_REQUIRE_2FA = False
    user = UserFactory()
    sign_in(client, user)
    assert client.get("/admin/").status_code == 200


def test_an_admin_resets_an_editors_devices_from_the_user_listing(
    admin_client, require_2fa, mailoutbox
):
    """Lost phone: an administrator removes the devices; the editor sets up anew."""
    admin = admin_client.session  # noqa: F841 - the session exists
    superuser = SuperUserFactory()
    enrol(superuser)
    editor = UserFactory()
    enrol(editor)
    admin_client.logout()
    sign_in(admin_client, superuser)
    admin_client.post(
        "/admin/two-factor/verify/",
        {"code": totp_now(TOTPDevice.objects.get(user=superuser), offset=1)},
    )
    listing = admin_client.get("/admin/users/").content.decode()
    assert f"/admin/two-factor/reset/{editor.pk}/" in listing
    confirm = admin_client.get(f"/admin/two-factor/reset/{editor.pk}/")
    assert confirm.status_code == 200
    response = admin_client.post(f"/admin/two-factor/reset/{editor.pk}/")
    assert response.status_code == 302
    assert not services.two_factor_enabled(user=editor)
    entry = ModelLogEntry.objects.get(object_id=str(editor.pk), action="vigil.two_factor_reset")
    assert entry.user_id == superuser.pk
    assert entry.data == {"devices": 2}
    # The editor sets up again through a new link, emailed and shown once to the admin.
    link = re.search(r"http://testserver(/admin/two-factor/enrol/[\w-]+/)", mailoutbox[-1].body)
    assert mailoutbox[-1].to == [editor.email] and link
    shown = admin_client.get("/admin/users/").content.decode()
    assert link.group(1) in shown
    assert link.group(1) not in admin_client.get("/admin/users/").content.decode()


def test_an_editor_cannot_reset_anothers_devices(client, settings):
    settings.VIGIL_REQUIRE_2FA = False
    editor, other = UserFactory(), UserFactory()
    enrol(other)
    sign_in(client, editor)
    # A refused permission is a page that says so and whom to ask (core/refusals.py).
    for response in (
        client.get(f"/admin/two-factor/reset/{other.pk}/"),
        client.post(f"/admin/two-factor/reset/{other.pk}/"),
    ):
        assert response.status_code == 403
        assert "Your account is not allowed to open" in response.content.decode()
    assert services.two_factor_enabled(user=other)
    assert (
        f"/admin/two-factor/reset/{other.pk}/" not in client.get("/admin/users/").content.decode()
    )
    assert client.post("/admin/two-factor/reset/999999/").status_code == 404


def test_the_command_line_resets_a_locked_out_administrator(capsys):
    from django.core.management import CommandError, call_command

    admin = SuperUserFactory()
    enrol(admin)
    call_command("reset_two_factor", admin.username)
    out = capsys.readouterr().out
    assert "Removed 2 two-factor devices" in out
    assert re.search(r"set-up link .*: http://testserver/admin/two-factor/enrol/[\w-]+/", out)
    assert not services.two_factor_enabled(user=admin)
    entry = ModelLogEntry.objects.get(object_id=str(admin.pk), action="vigil.two_factor_reset")
    assert entry.user is None
    with pytest.raises(CommandError, match="There is no user named nobody"):
        call_command("reset_two_factor", "nobody")


def test_the_admins_own_files_are_never_sent_to_the_second_factor(client, require_2fa):
    """The 2FA page fetches the icon sprite and puts it into itself: redirected to the
    2FA page, it drew the page twice, the first copy posting next=/admin/sprite/."""
    user = UserFactory()
    enrol(user)
    sign_in(client, user)
    sprite = client.get("/admin/sprite/?h=0123abcd", headers={"Sec-Fetch-Mode": "cors"})
    assert sprite.status_code == 200
    assert sprite["Content-Type"].startswith("image/svg+xml") and b"<symbol" in sprite.content
    catalog = client.get("/admin/jsi18n/", headers={"Sec-Fetch-Mode": "no-cors"})
    assert catalog.status_code == 200 and "javascript" in catalog["Content-Type"]


def test_a_scripts_request_before_the_second_factor_is_refused_not_redirected(client, require_2fa):
    user = UserFactory()
    enrol(user)
    sign_in(client, user)
    response = client.get("/admin/pages/search/?q=x", headers={"Sec-Fetch-Mode": "cors"})
    assert response.status_code == 403
    assert "two-factor code" in response.content.decode()
    # The page the editor opens is the one they come back to.
    page = client.get("/admin/pages/", headers={"Sec-Fetch-Mode": "navigate"})
    assert page["Location"] == "/admin/two-factor/verify/?next=%2Fadmin%2Fpages%2F"


def test_the_editor_lands_on_the_page_they_asked_for_never_on_an_asset(client, require_2fa, home):
    require_2fa.OTP_TOTP_THROTTLE_FACTOR = 0
    user = UserFactory()
    enrol(user)
    device = TOTPDevice.objects.get(user=user)
    edit = f"/admin/pages/{home.pk}/edit/"
    response = client.get(edit)
    assert response["Location"] == f"/admin/login/?next={edit}"
    response = client.post(
        "/admin/login/", {"username": user.username, "password": PASSWORD, "next": edit}
    )
    assert response["Location"] == edit
    response = client.get(edit)
    verify = f"/admin/two-factor/verify/?next={edit.replace('/', '%2F')}"
    assert response["Location"] == verify
    html = client.get(verify).content.decode()
    assert html.count('name="next"') == 1 and f'value="{edit}"' in html
    # The page's own sprite request changes nothing of that.
    client.get("/admin/sprite/?h=0123abcd", headers={"Sec-Fetch-Mode": "cors"})
    response = client.post(
        "/admin/two-factor/verify/", {"code": totp_now(device, offset=1), "next": edit}
    )
    assert response["Location"] == edit
    assert client.get(edit).status_code == 200


@pytest.mark.parametrize(
    "asset", ["/admin/sprite/?h=0123abcd", "/admin/jsi18n/", "/static/wagtailadmin/js/core.js"]
)
def test_an_asset_as_next_lands_on_the_dashboard(client, require_2fa, asset):
    user = UserFactory()
    codes = enrol(user)
    sign_in(client, user)
    response = client.post("/admin/two-factor/verify/", {"code": codes[0], "next": asset})
    assert response["Location"] == "/admin/"


def test_a_user_added_in_the_admin_is_emailed_a_one_time_link(admin_client, mailoutbox):
    response = admin_client.post(
        "/admin/users/new/",
        {
            "username": "newhire",
            "email": "newhire@example.org",
            "first_name": "New",
            "last_name": "Hire",
            "password1": "a long enough password 42",
            "password2": "a long enough password 42",
        },
    )
    assert response.status_code == 302, response.content[:2000]
    (message,) = [m for m in mailoutbox if m.to == ["newhire@example.org"]]
    link = re.search(r"http://testserver(/admin/two-factor/enrol/[\w-]+/)", message.body)
    assert link and "works once" in message.body
    # Shown once to the administrator who made the account, then gone.
    assert link.group(1) in admin_client.get("/admin/users/").content.decode()
    assert link.group(1) not in admin_client.get("/admin/users/").content.decode()
    assert EnrolmentInvitation.objects.filter(user__username="newhire").count() == 1
