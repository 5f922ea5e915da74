"""Sign-in under attack: the second factor first, instead of a lockout a stranger controls.

A lockout after N wrong passwords lets whoever knows an editor's user name lock the
editor out (behind a proxy or carrier NAT, for everyone who shares the address; across
addresses, for everyone). Instead, once a user name has had AXES_FAILURE_LIMIT failures
from one address, or VIGIL_SIGNIN_ACCOUNT_CEILING from all addresses together, sign-in
for it (from that address, or from everywhere) asks for a code from the authenticator
*before* the password is checked: guessing passwords then needs the phone too, and the
editor, who has it, signs in as always. django-axes counts the failures
(AXES_LOCK_OUT_AT_FAILURE is off); they are forgotten AXES_COOLOFF_TIME after the last.

A new editor who has not set up an authenticator yet passes with the set-up link they
were sent (the sign-in on the way to it carries it).
"""

import ipaddress
from dataclasses import dataclass

from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models import Sum
from django.utils import timezone
from django_otp import devices_for_user
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from . import services


@dataclass(frozen=True)
class CodeFirstPass:
    """What let a code-first sign-in through: a device (and the recovery code to use up
    once the password is right), or the user's set-up link."""

    device: object | None = None
    recovery_token_pk: int | None = None


def signin_failures(*, username: str, ip: str) -> tuple[int, int]:
    """Recent failed sign-ins for `username`: from `ip`, and from every address."""
    since = timezone.now() - settings.AXES_COOLOFF_TIME
    attempts = AccessAttempt.objects.filter(username=username, attempt_time__gt=since)
    overall = attempts.aggregate(n=Sum("failures_since_start"))["n"]
    try:
        ipaddress.ip_address(ip)
    except ValueError:
        # Not an address (PostgreSQL's inet column would refuse it): counted overall only.
        return 0, overall or 0
    from_address = attempts.filter(ip_address=ip).aggregate(n=Sum("failures_since_start"))["n"]
    return from_address or 0, overall or 0


def signin_code_first_required(*, username: str, ip: str) -> bool:
    """Whether this sign-in must show a second factor before its password is checked.

    Counted by the name typed, whether or not an account has it: the answer must not
    tell a stranger which names exist.
    """
    from_address, overall = signin_failures(username=username, ip=ip)
    return (
        from_address >= settings.AXES_FAILURE_LIMIT
        or overall >= settings.VIGIL_SIGNIN_ACCOUNT_CEILING
    )


def signin_code_first_check(*, username: str, code: str, next_url: str) -> CodeFirstPass | None:
    """The second factor given before the password, or None when it does not pass.

    Nothing here counts against the device: django-otp's throttling would otherwise let
    a stranger, who needs no password to reach this check, block the editor's phone.
    Guessing is bounded by the per-address sign-in limit, and a guess only matters
    together with the right password.
    """
    User = get_user_model()
    user = User.objects.filter(**{User.USERNAME_FIELD: username}, is_active=True).first()
    if user is None:
        return None
    code = services.code_normalise(code=code)
    if not services.two_factor_enabled(user=user):
        invitation = services.enrolment_invitation_from_next(user=user, next_url=next_url)
        return CodeFirstPass() if invitation is not None else None
    if not code:
        return None
    for device in devices_for_user(user, confirmed=True):
        if isinstance(device, StaticDevice):
            token = services.recovery_code_token(device=device, code=code)
            if token is not None:
                return CodeFirstPass(device=device, recovery_token_pk=token.pk)
        elif isinstance(device, TOTPDevice) and code.isdigit() and _totp_use(device, int(code)):
            return CodeFirstPass(device=device)
    return None


def _totp_use(device: TOTPDevice, token: int) -> bool:
    """Whether `token` is the device's current code (±tolerance) and not used before;
    it is marked used (atomically: two requests cannot both use one code)."""
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    if not totp.verify(token, device.tolerance, device.last_t + 1):
        return False
    step = totp.t()
    return bool(TOTPDevice.objects.filter(pk=device.pk, last_t__lt=step).update(last_t=step))


def code_first_complete(*, passed: CodeFirstPass) -> None:
    """After the password was right too: a recovery code given first is used up."""
    if passed.recovery_token_pk is not None:
        StaticToken.objects.filter(pk=passed.recovery_token_pk).delete()
