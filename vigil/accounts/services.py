"""Editors' accounts: two-factor devices, recovery codes, and the audit trail of sign-ins.

Every editor proves a second factor (a TOTP app, or one of ten single-use recovery
codes) before any admin page; `vigil/accounts/middleware.py` enforces it. The audit
log (Reports → Site history) records sign-ins, failures, set-ups and resets.
"""

from base64 import b32encode

import segno
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.functional import LazyObject, empty
from django.utils.translation import gettext as _
from django_otp import devices_for_user, match_token
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from wagtail.log_actions import log
from wagtail.models import Site

RECOVERY_CODE_COUNT = 10
TOTP_DEVICE_NAME = "authenticator"
RECOVERY_DEVICE_NAME = "recovery"


def _concrete(user):
    """The user object itself: `request.user` is a lazy object, wrapped twice by
    django-otp, and Wagtail's audit log silently skips a lazy object it cannot type."""
    while isinstance(user, LazyObject):
        if user._wrapped is empty:
            user._setup()
        user = user._wrapped
    return user


def _log(*, instance, action: str, user=None, data: dict | None = None) -> None:
    log(instance=_concrete(instance), action=action, user=_concrete(user), data=data)


def signin_record(*, user, ip: str) -> None:
    """Audit-log a successful password sign-in."""
    _log(instance=user, action="vigil.sign_in", user=user, data={"ip": ip})


def signin_failure_record(*, username: str, ip: str, locked_out: bool) -> None:
    """Audit-log a failed sign-in: against the account when the name is one, else the site.

    The typed name of an unknown account is not kept: people type passwords there.
    """
    data = {"ip": ip, "locked_out": locked_out}
    User = get_user_model()
    account = User.objects.filter(**{User.USERNAME_FIELD: username}).first() if username else None
    if account is not None:
        _log(instance=account, action="vigil.sign_in_failed", data=data)
        return
    site = Site.objects.filter(is_default_site=True).first() or Site.objects.first()
    if site is not None:
        _log(instance=site, action="vigil.sign_in_failed", data={**data, "unknown_user": True})


def two_factor_enabled(*, user) -> bool:
    """True when the user has a confirmed authenticator (or recovery codes)."""
    return any(True for _device in devices_for_user(user, confirmed=True))


def totp_device_pending(*, user) -> TOTPDevice:
    """The authenticator being set up: the same secret on every visit until confirmed."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("pk").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=TOTP_DEVICE_NAME, confirmed=False)
    return device


def totp_secret_text(*, device: TOTPDevice) -> str:
    """The secret in base32, in groups of four, for apps where it is typed in."""
    secret = b32encode(device.bin_key).decode("ascii").rstrip("=")
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def totp_qr_svg(*, device: TOTPDevice) -> str:
    """The device's otpauth:// address as an inline SVG QR code, made on the server.

    Plain SVG paths and attributes only: no script, no style attribute.
    """
    qr = segno.make(device.config_url, error="m", micro=False)
    return qr.svg_inline(scale=4, border=4, dark="#000", light="#fff")


def code_normalise(*, code: str) -> str:
    return "".join(code.split()).lower()


def totp_confirm(*, user, device: TOTPDevice, code: str) -> list[str]:
    """Confirm the authenticator with a code from it; returns fresh recovery codes.

    Raises ValidationError when the code does not match (the device stays unconfirmed).
    """
    if device.user_id != user.pk or device.confirmed:
        raise ValidationError(_("This set-up has expired. Please start again."))
    if not device.verify_token(code_normalise(code=code)):
        raise ValidationError(
            _("That code is not right. Check the time on your phone and enter the newest code.")
        )
    with transaction.atomic():
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
        codes = _recovery_codes_replace(user=user)
        _log(instance=user, action="vigil.two_factor_setup", user=user)
    return codes


def _recovery_codes_replace(*, user) -> list[str]:
    # The device is kept and its codes replaced: a session verified with a recovery code
    # stays verified (django-otp ties it to the device).
    device = StaticDevice.objects.filter(user=user).order_by("pk").first()
    if device is None:
        device = StaticDevice.objects.create(user=user, name=RECOVERY_DEVICE_NAME, confirmed=True)
    StaticDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
    StaticToken.objects.filter(device=device).delete()
    codes = []
    while len(codes) < RECOVERY_CODE_COUNT:
        token = StaticToken.random_token()
        if token not in codes:
            codes.append(token)
    StaticToken.objects.bulk_create(StaticToken(device=device, token=t) for t in codes)
    return codes


def recovery_codes_new(*, user) -> list[str]:
    """Ten new single-use recovery codes; the old ones stop working."""
    with transaction.atomic():
        codes = _recovery_codes_replace(user=user)
        _log(instance=user, action="vigil.recovery_codes_new", user=user)
    return codes


def recovery_codes_left(*, user) -> int:
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


def two_factor_check(*, user, code: str, ip: str):
    """The device that accepts `code` (a TOTP or an unused recovery code), or None.

    A recovery code is used up by the check. Failures are audit-logged.
    """
    device = match_token(user, code_normalise(code=code))
    if device is None:
        _log(instance=user, action="vigil.two_factor_failed", user=user, data={"ip": ip})
        return None
    _log(
        instance=user,
        action="vigil.two_factor_verified",
        user=user,
        data={"ip": ip, "recovery_code": isinstance(device, StaticDevice)},
    )
    return device


def two_factor_reset(*, user, by) -> int:
    """Remove every device of `user` (lost phone): they set up 2FA again at next sign-in.

    Returns how many devices were removed; audit-logged with who did it.
    """
    with transaction.atomic():
        removed = TOTPDevice.objects.filter(user=user).delete()[0]
        removed += StaticDevice.objects.filter(user=user).count()
        StaticDevice.objects.filter(user=user).delete()
        _log(instance=user, action="vigil.two_factor_reset", user=by, data={"devices": removed})
    return removed


def user_can_reset_two_factor(*, actor, user) -> bool:
    """Superusers, and those allowed to change users, may reset others' devices."""
    if not actor.is_authenticated:
        return False
    if user.is_superuser and not actor.is_superuser:
        return False
    return actor.is_superuser or actor.has_perm("auth.change_user")
