"""Editors' accounts: two-factor devices, recovery codes, and the audit trail of sign-ins.

Every editor proves a second factor (a TOTP app, or one of ten single-use recovery
codes) before any admin page; `vigil/accounts/middleware.py` enforces it. The audit
log (Reports → Site history) records sign-ins, failures, set-ups and resets.
"""

import datetime as dt
import hashlib
import logging
import re
import secrets
from base64 import b32encode
from urllib.parse import urlsplit

import segno
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.functional import LazyObject, empty
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_otp import devices_for_user
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from wagtail.log_actions import log
from wagtail.models import Site

from . import sealing
from .models import EnrolmentInvitation

logger = logging.getLogger(__name__)

RECOVERY_CODE_COUNT = 10
RECOVERY_CODE_LENGTH = 12
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


def signin_failure_record(*, username: str, ip: str, code_first: bool) -> None:
    """Audit-log a failed sign-in: against the account when the name is one, else the site.

    The typed name of an unknown account is not kept: people type passwords there.
    """
    data = {"ip": ip, "code_first": code_first}
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


def totp_device_new(*, user) -> TOTPDevice:
    """A new authenticator to set up, with a new secret on every set-up page.

    Any earlier unconfirmed one is removed: a secret seen on an earlier page (by the
    editor, or by whoever looked over their shoulder) never becomes the account's.
    """
    with transaction.atomic():
        TOTPDevice.objects.filter(user=user, confirmed=False).delete()
        return TOTPDevice.objects.create(user=user, name=TOTP_DEVICE_NAME, confirmed=False)


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


def totp_confirm(
    *, user, device: TOTPDevice, code: str, ip: str = "", invitation: EnrolmentInvitation | None
) -> list[str]:
    """Confirm the authenticator with a code from it; returns fresh recovery codes.

    Only through an unused enrolment link of this user's (`invitation`). The link is
    used up, the set-up audit-logged, and the editor told by email. Raises
    ValidationError when the code does not match (the device stays unconfirmed).
    """
    usable = enrolment_invitation_usable(invitation=invitation, user=user)
    if device.user_id != user.pk or device.confirmed or not usable:
        raise ValidationError(_("This set-up has expired. Please start again."))
    if not device.verify_token(code_normalise(code=code)):
        raise ValidationError(
            _("That code is not right. Check the time on your phone and enter the newest code.")
        )
    with transaction.atomic():
        used = EnrolmentInvitation.objects.filter(pk=invitation.pk, used_at__isnull=True).update(
            used_at=timezone.now()
        )
        if not used:  # another request used the link in the meantime
            raise ValidationError(_("This set-up has expired. Please start again."))
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
        codes = _recovery_codes_replace(user=user)
        _log(instance=user, action="vigil.two_factor_setup", user=user, data={"ip": ip})
    editor_notice_send(
        user=user,
        subject=gettext_lazy("Two-factor authentication was set up for your account"),
        body=gettext_lazy(
            "An authenticator app was set up for your account %(username)s at %(time)s UTC. "
            "From now on it gives the codes you sign in with.\n\n"
            "If this was not you, tell an administrator at once: someone else may have "
            "your password, and they can reset your two-factor authentication."
        ),
        values={"time": timezone.now().strftime("%Y-%m-%d %H:%M")},
    )
    return codes


def _recovery_codes_replace(*, user) -> list[str]:
    # The device is kept and its codes replaced: a session verified with a recovery code
    # stays verified (django-otp ties it to the device). Only digests are stored.
    device = StaticDevice.objects.filter(user=user).order_by("pk").first()
    if device is None:
        device = StaticDevice.objects.create(user=user, name=RECOVERY_DEVICE_NAME, confirmed=True)
    StaticDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
    StaticToken.objects.filter(device=device).delete()
    codes = []
    while len(codes) < RECOVERY_CODE_COUNT:
        code = b32encode(secrets.token_bytes(10)).decode("ascii").lower()[:RECOVERY_CODE_LENGTH]
        if code not in codes:
            codes.append(code)
    StaticToken.objects.bulk_create(
        StaticToken(device=device, token=sealing.recovery_code_digest(code=c)) for c in codes
    )
    return codes


def recovery_codes_new(*, user) -> list[str]:
    """Ten new single-use recovery codes; the old ones stop working."""
    with transaction.atomic():
        codes = _recovery_codes_replace(user=user)
        _log(instance=user, action="vigil.recovery_codes_new", user=user)
    return codes


def recovery_codes_left(*, user) -> int:
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


def recovery_code_token(*, device: StaticDevice, code: str) -> StaticToken | None:
    """The stored digest of `code` among the device's unused codes, or None."""
    digests = sealing.recovery_code_digests(code=code_normalise(code=code))
    return StaticToken.objects.filter(device=device, token__in=digests).first()


def device_matching(*, user, code: str):
    """The confirmed device that accepts `code`, or None; a recovery code is used up.

    django-otp's match_token would compare a recovery code with the stored text; here
    it is compared by digest, and a TOTP device is asked only for digits.
    """
    code = code_normalise(code=code)
    for device in devices_for_user(user, confirmed=True):
        if isinstance(device, StaticDevice):
            token = recovery_code_token(device=device, code=code)
            # django-otp's own check (throttling, then the code used up), on the digest.
            candidate = token.token if token else sealing.recovery_code_digest(code=code)
            if device.verify_token(candidate):
                return device
        elif code.isdigit() and device.verify_token(code):
            return device
    return None


def two_factor_check(*, user, code: str, ip: str):
    """The device that accepts `code` (a TOTP or an unused recovery code), or None.

    A recovery code is used up by the check. Failures are audit-logged.
    """
    device = device_matching(user=user, code=code)
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


# -- enrolment links -----------------------------------------------------------------------

_ENROL_PATH = re.compile(r"^/admin/two-factor/enrol/(?P<token>[A-Za-z0-9_-]{20,100})/$")


def _token_digest(token: str) -> str:
    # The token is 256 random bits: a plain hash cannot be reversed or guessed.
    return hashlib.sha256(token.encode("ascii")).hexdigest()


def enrolment_link_create(*, user, by) -> str:
    """A new one-time link (absolute URL) through which `user` sets up two-factor.

    Earlier unused links of the user stop working. Audit-logged with who made it.
    """
    token = secrets.token_urlsafe(32)
    by = _concrete(by) if by is not None and by.is_authenticated else None
    with transaction.atomic():
        EnrolmentInvitation.objects.filter(user=user, used_at__isnull=True).delete()
        EnrolmentInvitation.objects.create(
            user=user,
            token_digest=_token_digest(token),
            expires_at=timezone.now() + dt.timedelta(days=settings.VIGIL_ENROLMENT_LINK_DAYS),
            created_by=by,
        )
        _log(instance=user, action="vigil.enrolment_link", user=by)
    path = reverse("vigil_accounts:enrol", args=[token])
    return settings.WAGTAILADMIN_BASE_URL.rstrip("/") + path


def enrolment_link_send(*, user, url: str) -> bool:
    """Email the link to the editor; False when they have no address or it failed."""
    return editor_notice_send(
        user=user,
        subject=gettext_lazy("Set up two-factor authentication for your account"),
        body=gettext_lazy(
            "An account %(username)s was prepared for you. To finish it, open this link, "
            "sign in with your user name and password, and set up an authenticator app on "
            "your phone:\n\n%(url)s\n\n"
            "The link works once, for %(days)s days. Do not forward it: with it and your "
            "password, someone else could set up their own phone for your account."
        ),
        values={"url": url, "days": settings.VIGIL_ENROLMENT_LINK_DAYS},
    )


def enrolment_invitation_find(*, user, token: str) -> EnrolmentInvitation | None:
    """The user's unused, unexpired link with this token, or None."""
    invitation = EnrolmentInvitation.objects.filter(token_digest=_token_digest(token)).first()
    return invitation if enrolment_invitation_usable(invitation=invitation, user=user) else None


def enrolment_invitation_from_next(*, user, next_url: str) -> EnrolmentInvitation | None:
    """The usable link `next_url` points to (a sign-in on the way to set-up), or None."""
    match = _ENROL_PATH.match(urlsplit(next_url or "").path)
    return enrolment_invitation_find(user=user, token=match["token"]) if match else None


def enrolment_invitation_usable(*, invitation: EnrolmentInvitation | None, user) -> bool:
    """Whether the link is `user`'s, unused and unexpired."""
    return (
        invitation is not None
        and invitation.user_id == user.pk
        and invitation.used_at is None
        and invitation.expires_at > timezone.now()
    )


def editor_notice_send(*, user, subject, body, values: dict) -> bool:
    """Send an editor a message about their account, in their admin language.

    A failing mail server is logged (without the message, which may hold a link) and
    reported as False.
    """
    if not user.email:
        return False
    with translation.override(editor_language(user=user) or translation.get_language()):
        subject = str(subject)
        text = str(body) % {"username": user.get_username(), **values}
    try:
        send_mail(subject, text, None, [user.email])
    except OSError as error:
        logger.warning("A message to an editor could not be sent: %s", type(error).__name__)
        return False
    return True


def editor_language(*, user) -> str | None:
    """The admin language the editor chose (Wagtail's profile), or None."""
    profile = getattr(user, "wagtail_userprofile", None)
    return (profile.preferred_language or None) if profile else None


def enrolment_link_file_ensure(*, user, path) -> str | None:
    """For make run's administrator: a set-up link in `path` (owner-readable only).

    A link already there is kept while it still works; once the account has two-factor
    the file is removed. Returns the link, or None when none is needed.
    """
    if two_factor_enabled(user=user):
        path.unlink(missing_ok=True)
        return None
    if path.is_file():
        url = path.read_text().strip()
        if enrolment_invitation_from_next(user=user, next_url=url):
            return url
    url = enrolment_link_create(user=user, by=None)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.touch(mode=0o600)
    path.write_text(url + "\n")
    return url
