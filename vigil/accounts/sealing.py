"""Two-factor secrets at rest: TOTP keys encrypted, recovery codes kept only as digests.

A copy of the database (a backup, a stolen disk) must not hand over the second factor.
django-otp keeps a TOTP key as hex in `TOTPDevice.key` and recovery codes as plain text
in `StaticToken.token`. Here:

- a TOTP key is stored sealed with AES-GCM (the `cryptography` library) under a key
  derived from SECRET_KEY: "s1" + base64url(nonce + ciphertext + tag), 66 characters,
  within the column's 80. `AccountsConfig.ready` makes `TOTPDevice.bin_key` unseal and a
  pre_save signal seals any key saved in the clear;
- a recovery code is stored as a keyed digest (HMAC-SHA256 under another key derived
  from SECRET_KEY, 80 bits in base32: the column holds 16 characters), so it can be
  checked but not read back.

Keys from SECRET_KEY_FALLBACKS still open what the previous SECRET_KEY sealed; a device
unsealed with one is sealed again with the current key when it next verifies a code.
"""

import base64
import hmac
import os
import re
from binascii import unhexlify

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils.crypto import salted_hmac

SEALED_PREFIX = "s1"
_TOTP_SALT = "vigil.accounts.sealing.totp-key"
_RECOVERY_SALT = "vigil.accounts.sealing.recovery-code"
_AAD = b"vigil.totp-key.v1"
_NONCE_BYTES = 12
RECOVERY_DIGEST_LENGTH = 16
_PLAIN_HEX = re.compile(r"^[0-9a-fA-F]*$")


def _secrets() -> list[str]:
    return [settings.SECRET_KEY, *getattr(settings, "SECRET_KEY_FALLBACKS", [])]


def _derived(*, salt: str, secret: str) -> bytes:
    """A 256-bit key for one purpose, derived from a secret (HMAC-SHA256 as the KDF)."""
    return salted_hmac(salt, "key", secret=secret, algorithm="sha256").digest()


def is_sealed(value: str) -> bool:
    return value.startswith(SEALED_PREFIX)


def totp_key_seal(*, key: bytes) -> str:
    """`key` encrypted and authenticated under the current SECRET_KEY, as stored text."""
    nonce = os.urandom(_NONCE_BYTES)
    box = AESGCM(_derived(salt=_TOTP_SALT, secret=settings.SECRET_KEY))
    sealed = nonce + box.encrypt(nonce, key, _AAD)
    return SEALED_PREFIX + base64.urlsafe_b64encode(sealed).decode("ascii").rstrip("=")


def totp_key_unseal(*, stored: str) -> tuple[bytes, bool]:
    """The key, and whether it was sealed with the current SECRET_KEY (False: re-seal).

    A key still in the clear (hex, from before sealing) is read as it is.
    """
    if not is_sealed(stored):
        if not _PLAIN_HEX.match(stored):
            raise ImproperlyConfigured("A two-factor key is neither sealed nor hex.")
        return unhexlify(stored.encode()), False
    body = stored[len(SEALED_PREFIX) :]
    raw = base64.urlsafe_b64decode(body + "=" * (-len(body) % 4))
    nonce, sealed = raw[:_NONCE_BYTES], raw[_NONCE_BYTES:]
    for position, secret in enumerate(_secrets()):
        box = AESGCM(_derived(salt=_TOTP_SALT, secret=secret))
        try:
            return box.decrypt(nonce, sealed, _AAD), position == 0
        except InvalidTag:
            continue
    raise ImproperlyConfigured(
        "A two-factor key was sealed with a SECRET_KEY that is neither the current one nor "
        "in SECRET_KEY_FALLBACKS: put the old key there, or reset that editor's two-factor "
        "(manage.py reset_two_factor)."
    )


def totp_device_bin_key(device) -> bytes:
    """Stands in for django-otp's `TOTPDevice.bin_key`, which reads the hex column."""
    key, current = totp_key_unseal(stored=device.key)
    if not current and device.pk is not None:
        # Sealed under a fallback (or not at all): sealed again under today's key.
        device.key = totp_key_seal(key=key)
        type(device).objects.filter(pk=device.pk).update(key=device.key)
    return key


def totp_device_seal_on_save(sender, instance, **kwargs) -> None:
    """pre_save of TOTPDevice: a key given in the clear (django-otp's default) is sealed."""
    if not is_sealed(instance.key):
        instance.key = totp_key_seal(key=unhexlify(instance.key.encode()))


def recovery_code_digests(*, code: str) -> list[str]:
    """What a recovery code is stored as: under the current key first, then fallbacks."""
    return [_recovery_digest(code=code, secret=secret) for secret in _secrets()]


def recovery_code_digest(*, code: str) -> str:
    return _recovery_digest(code=code, secret=settings.SECRET_KEY)


def _recovery_digest(*, code: str, secret: str) -> str:
    mac = hmac.new(_derived(salt=_RECOVERY_SALT, secret=secret), code.encode(), "sha256")
    return base64.b32encode(mac.digest()[:10]).decode("ascii").lower()


def is_recovery_digest(value: str) -> bool:
    # django-otp's own codes are 8 characters; a digest is 16.
    return len(value) == RECOVERY_DIGEST_LENGTH
