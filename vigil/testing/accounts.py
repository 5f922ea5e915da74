"""An editor's second factor as tests and journeys give it: codes, set-up links, enrolment.

`totp_now`, `enrolment_path` and `enrol` work in the test process's database;
`Authenticator` is the phone app of someone enrolling through a live server's pages.
"""

import time
from base64 import b32decode
from dataclasses import dataclass
from urllib.parse import urlsplit

from django_otp.oath import TOTP, totp

from vigil.accounts import services

TOTP_STEP = 30


def totp_now(device, *, offset: int = 0) -> str:
    """The code an authenticator app shows for `device`, `offset` steps from now."""
    app = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    app.time = app.time + offset * device.step
    return f"{app.token():0{device.digits}d}"


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


def totp_key(secret_text: str) -> bytes:
    """The key behind the base32 secret an authenticator app is given (spaces allowed)."""
    secret = "".join(secret_text.split()).upper()
    return b32decode(secret + "=" * (-len(secret) % 8))


@dataclass
class Authenticator:
    """An editor's authenticator app: the codes a phone would show, each used once.

    django-otp refuses a code from a time step it has already accepted, and accepts
    one step ahead (clock drift), so a second sign-in within 30 s uses the next step's
    code, as a patient person would wait for the next one.
    """

    key: bytes
    last_step: int = -1

    def code(self) -> str:
        step = int(time.time()) // TOTP_STEP
        if self.last_step >= step + 1:
            time.sleep(self.last_step * TOTP_STEP - time.time() + 0.5)
            step = int(time.time()) // TOTP_STEP
        use = max(step, self.last_step + 1)
        self.last_step = use
        return f"{totp(self.key, step=TOTP_STEP, t0=0, drift=use - step):06d}"
