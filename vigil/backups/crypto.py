"""The backup key, and authenticated encryption of a whole archive with it.

A backup holds every signer's and subscriber's address and the editors' second factors,
so it is encrypted and authenticated with a key that never goes into the archive. The
cipher is AES-256-GCM from `cryptography`, used the way age and Tink's streaming AEAD use
it (the STREAM construction): the archive is cut into 1 MiB chunks, each sealed with a
nonce made of its number and a flag for the last chunk, so a chunk cannot be changed,
dropped, reordered or cut off at the end without the key noticing. Each archive gets its
own AES key, derived with HKDF-SHA256 from the backup key and a random salt, and the
header (format, key id, salt) is authenticated with every chunk.

File layout: header (MAGIC, version, key id, salt), then the sealed chunks.
"""

import base64
import binascii
import os
import stat
from pathlib import Path
from typing import BinaryIO

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.utils.translation import gettext as _

MAGIC = b"VIGIL-BACKUP\n"
VERSION = 2
KEY_BYTES = 32
KEY_ID_BYTES = 8
SALT_BYTES = 32
CHUNK = 1024 * 1024
TAG_BYTES = 16
HEADER_BYTES = len(MAGIC) + 1 + KEY_ID_BYTES + SALT_BYTES


class BackupKeyError(Exception):
    """The key is missing, unreadable or wrong, or the archive fails authentication."""


def _hkdf(key: bytes, *, salt: bytes | None, info: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=KEY_BYTES, salt=salt, info=info).derive(key)


def backup_key_id(*, key: bytes) -> str:
    """A short name for the key, shown by backup and restore; it tells nothing about the key."""
    return _hkdf(key, salt=None, info=b"vigil backup key id")[:KEY_ID_BYTES].hex()


def backup_key_generate() -> str:
    """A new key as text: 32 random bytes, base64 (what `make run` writes to var/backup-key)."""
    return base64.urlsafe_b64encode(os.urandom(KEY_BYTES)).decode()


def backup_key_parse(*, text: str) -> bytes:
    """The key's bytes from its text; base64 with either alphabet (openssl rand -base64 32)."""
    cleaned = text.strip().replace("+", "-").replace("/", "_")
    try:
        key = base64.urlsafe_b64decode(cleaned.encode("ascii"))
    except (binascii.Error, ValueError, UnicodeEncodeError):
        key = b""
    if len(key) != KEY_BYTES:
        raise BackupKeyError(
            _("The backup key is not valid: it must be %(bytes)s random bytes in base64.")
            % {"bytes": KEY_BYTES}
        )
    return key


def backup_key_write(*, path: Path) -> bytes:
    """Create a new key file, readable by its owner only; never replaces one."""
    text = backup_key_generate()
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w") as file:
        file.write(text + "\n")
    return backup_key_parse(text=text)


def _key_file_read(path: Path) -> bytes:
    try:
        mode = path.stat().st_mode
    except FileNotFoundError:
        raise BackupKeyError(
            _("The backup key file %(path)s does not exist.") % {"path": path}
        ) from None
    if mode & (stat.S_IRWXG | stat.S_IRWXO):
        # A key other users can read protects nothing: say so rather than use it.
        raise BackupKeyError(
            _("The backup key file %(path)s can be read by other users: run chmod 600 %(path)s.")
            % {"path": path}
        )
    return backup_key_parse(text=path.read_text())


def backup_key_load(*, key_file: Path | None = None, create: bool = False) -> bytes:
    """The backup key: `key_file` when given, else BACKUP_KEY, else BACKUP_KEY_FILE.

    `create` makes a new key file where none is, when the settings allow it
    (BACKUP_KEY_CREATE, on outside production); a restore never creates one.
    """
    if key_file is not None:
        return _key_file_read(Path(key_file))
    if settings.BACKUP_KEY:
        return backup_key_parse(text=settings.BACKUP_KEY)
    path = Path(settings.BACKUP_KEY_FILE) if settings.BACKUP_KEY_FILE else None
    if path is not None and not path.exists() and create and settings.BACKUP_KEY_CREATE:
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        return backup_key_write(path=path)
    if path is None or not path.exists():
        raise BackupKeyError(
            _(
                "No backup key: set BACKUP_KEY_FILE to a file holding the key (make one with "
                "`umask 077; openssl rand -base64 32 > FILE`) or BACKUP_KEY to the key, and keep "
                "a copy off this machine. Backups are encrypted with it and cannot be restored "
                "without it."
            )
        )
    return _key_file_read(path)


def _nonce(index: int, *, last: bool) -> bytes:
    # 11 bytes of chunk number and 1 byte saying whether it is the last chunk (STREAM).
    return index.to_bytes(11, "big") + (b"\x01" if last else b"\x00")


def _read_full(source: BinaryIO, size: int) -> bytes:
    parts, left = [], size
    while left:
        data = source.read(left)
        if not data:
            break
        parts.append(data)
        left -= len(data)
    return b"".join(parts)


def stream_encrypt(*, source: BinaryIO, target: BinaryIO, key: bytes) -> None:
    """Write `source`, encrypted and authenticated with `key`, to `target`."""
    salt = os.urandom(SALT_BYTES)
    header = MAGIC + bytes([VERSION]) + bytes.fromhex(backup_key_id(key=key)) + salt
    cipher = AESGCM(_hkdf(key, salt=salt, info=b"vigil backup archive"))
    target.write(header)
    index = 0
    chunk = _read_full(source, CHUNK)
    while True:
        following = _read_full(source, CHUNK)
        last = not following
        target.write(cipher.encrypt(_nonce(index, last=last), chunk, header))
        if last:
            return
        chunk, index = following, index + 1


def stream_decrypt(*, source: BinaryIO, target: BinaryIO, key: bytes, name: str) -> None:
    """Write the plain archive to `target`; BackupKeyError unless every byte is authentic.

    What was written before a failure is not authentic: the caller throws `target` away.
    """
    header = _read_full(source, HEADER_BYTES)
    if len(header) < HEADER_BYTES or not header.startswith(MAGIC):
        raise BackupKeyError(
            _(
                "%(name)s is not an encrypted Vigil backup (backups made before encryption "
                "cannot be authenticated and are not restored)."
            )
            % {"name": name}
        )
    if header[len(MAGIC)] != VERSION:
        raise BackupKeyError(
            _("%(name)s was made by another version of Vigil's backup format.") % {"name": name}
        )
    theirs = header[len(MAGIC) + 1 : len(MAGIC) + 1 + KEY_ID_BYTES].hex()
    ours = backup_key_id(key=key)
    if theirs != ours:
        raise BackupKeyError(
            _(
                "%(name)s was encrypted with another key (key id %(theirs)s; this key's id is "
                "%(ours)s). Give the key it was made with (--key-file)."
            )
            % {"name": name, "theirs": theirs, "ours": ours}
        )
    salt = header[-SALT_BYTES:]
    cipher = AESGCM(_hkdf(key, salt=salt, info=b"vigil backup archive"))
    index = 0
    sealed = _read_full(source, CHUNK + TAG_BYTES)
    while True:
        following = _read_full(source, CHUNK + TAG_BYTES)
        last = not following
        try:
            plain = cipher.decrypt(_nonce(index, last=last), sealed, header)
        except InvalidTag:
            raise BackupKeyError(
                _(
                    "%(name)s failed authentication: it was changed or cut short after it was "
                    "made. Nothing was restored."
                )
                % {"name": name}
            ) from None
        target.write(plain)
        if last:
            return
        sealed, index = following, index + 1
