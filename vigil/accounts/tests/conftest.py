from urllib.parse import urlsplit

import pytest
from django_otp.oath import TOTP

from vigil.accounts import services


def totp_now(device, *, offset: int = 0) -> str:
    """The code an authenticator app shows for `device`, `offset` steps from now."""
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = totp.time + offset * device.step
    return f"{totp.token():0{device.digits}d}"


@pytest.fixture
def require_2fa(settings):
    settings.VIGIL_REQUIRE_2FA = True
    return settings


def enrolment_path(user) -> str:
    """A new one-time set-up link of `user`'s, as its path (what the editor is emailed)."""
    return urlsplit(services.enrolment_link_create(user=user, by=None)).path


def enrol(user) -> list[str]:
    """Give `user` a confirmed authenticator; returns their recovery codes."""
    token = enrolment_path(user).rstrip("/").rsplit("/", 1)[-1]
    invitation = services.enrolment_invitation_find(user=user, token=token)
    device = services.totp_device_new(user=user)
    return services.totp_confirm(
        user=user, device=device, code=totp_now(device), invitation=invitation
    )
