"""The copy's manifest (every file's SHA-256) and its detached signature.

Signatures are made with OpenSSH's `ssh-keygen -Y sign` (Debian's openssh-client):
maintained, on every Debian machine, and checkable by anyone with
`ssh-keygen -Y verify` and the campaign's public key, without Vigil.
"""

import base64
import hashlib
import os
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.utils.translation import gettext as _

from .paths import MANIFEST_NAME, NOT_IN_MANIFEST, SIGNATURE_NAME

SIGNATURE_NAMESPACE = "vigil-mirror"
SIGNER_IDENTITY = "vigil-mirror"
_CHUNK = 1 << 20


class MirrorKeyError(Exception):
    """The signing key is missing or unusable; the message says what to do."""


@dataclass
class VerifyReport:
    signature_ok: bool = False
    signature_message: str = ""
    missing: list[str] = field(default_factory=list)
    added: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    checked: int = 0

    @property
    def ok(self) -> bool:
        return self.signature_ok and not (self.missing or self.added or self.changed)


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while chunk := handle.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def manifest_text(*, files: dict[str, str]) -> str:
    """sha256sum's format, so `sha256sum -c MANIFEST.sha256` checks a copy too."""
    return "".join(f"{digest}  {name}\n" for name, digest in sorted(files.items()))


def manifest_parse(text: str) -> dict[str, str]:
    files = {}
    for number, line in enumerate(text.splitlines(), start=1):
        digest, sep, name = line.partition("  ")
        if not sep or len(digest) != 64 or not name:
            raise ValueError(
                _("Line %(n)s of the manifest is not “SHA-256, two spaces, path”.") % {"n": number}
            )
        files[name] = digest
    return files


def _ssh_keygen(*args: str, stdin: bytes | None = None) -> subprocess.CompletedProcess:
    try:
        return subprocess.run(
            ["ssh-keygen", *args], input=stdin, capture_output=True, timeout=60, check=False
        )
    except FileNotFoundError:
        raise MirrorKeyError(
            _("ssh-keygen was not found: install Debian's openssh-client package.")
        ) from None


def mirror_key_path() -> Path:
    return Path(settings.MIRROR_SIGNING_KEY)


def mirror_key_create(*, path: Path) -> str:
    """Make a new Ed25519 signing key at `path` (private, owner-only) and `path.pub`."""
    if path.exists():
        raise MirrorKeyError(
            _("A key already exists at %(path)s; it was left alone.") % {"path": path}
        )
    path.parent.mkdir(parents=True, exist_ok=True)
    result = _ssh_keygen("-q", "-t", "ed25519", "-N", "", "-C", SIGNER_IDENTITY, "-f", str(path))
    if result.returncode != 0:
        raise MirrorKeyError(result.stderr.decode(errors="replace").strip())
    os.chmod(path, 0o600)
    return mirror_public_key(path=path)


def mirror_public_key(*, path: Path | None = None) -> str:
    """The public key line ("ssh-ed25519 AAAA… comment") of the signing key."""
    path = path or mirror_key_path()
    public = Path(str(path) + ".pub")
    if public.is_file():
        return public.read_text().strip()
    if not path.is_file():
        raise MirrorKeyError(
            _("No mirror signing key at %(path)s. Create one with: manage.py mirror_key --create")
            % {"path": path}
        )
    result = _ssh_keygen("-y", "-f", str(path))
    if result.returncode != 0:
        raise MirrorKeyError(result.stderr.decode(errors="replace").strip())
    return result.stdout.decode().strip()


def key_fingerprint(public_key: str) -> str:
    """OpenSSH's SHA256 fingerprint, as `ssh-keygen -l` prints it."""
    try:
        blob = base64.b64decode(public_key.split()[1], validate=True)
    except (IndexError, ValueError):
        raise MirrorKeyError(_("This is not an OpenSSH public key.")) from None
    return "SHA256:" + base64.b64encode(hashlib.sha256(blob).digest()).decode().rstrip("=")


def manifest_sign(*, directory: Path, files: dict[str, str], key: Path) -> None:
    """Write MANIFEST.sha256 and its detached signature MANIFEST.sha256.sig."""
    if not key.is_file():
        raise MirrorKeyError(
            _("No mirror signing key at %(path)s. Create one with: manage.py mirror_key --create")
            % {"path": key}
        )
    manifest = directory / MANIFEST_NAME
    manifest.write_text(manifest_text(files=files), encoding="utf-8")
    signature = directory / SIGNATURE_NAME
    signature.unlink(missing_ok=True)
    result = _ssh_keygen(
        "-Y", "sign", "-q", "-f", str(key), "-n", SIGNATURE_NAMESPACE, str(manifest)
    )
    if result.returncode != 0:
        raise MirrorKeyError(result.stderr.decode(errors="replace").strip())


def mirror_verify(*, directory: Path, public_key: str) -> VerifyReport:
    """Check the signature on the manifest, then every file against it."""
    report = VerifyReport()
    manifest = directory / MANIFEST_NAME
    signature = directory / SIGNATURE_NAME
    if not manifest.is_file() or not signature.is_file():
        report.signature_message = _("The copy has no %(manifest)s or no %(signature)s.") % {
            "manifest": MANIFEST_NAME,
            "signature": SIGNATURE_NAME,
        }
        return report
    manifest_bytes = manifest.read_bytes()
    with tempfile.NamedTemporaryFile("w", suffix=".allowed_signers") as allowed:
        allowed.write(f"{SIGNER_IDENTITY} {public_key}\n")
        allowed.flush()
        result = _ssh_keygen(
            "-Y", "verify", "-f", allowed.name, "-I", SIGNER_IDENTITY,
            "-n", SIGNATURE_NAMESPACE, "-s", str(signature),
            stdin=manifest_bytes,
        )  # fmt: skip
    report.signature_ok = result.returncode == 0
    report.signature_message = (
        _("The signature is good (key %(fingerprint)s).")
        % {"fingerprint": key_fingerprint(public_key)}
        if report.signature_ok
        else _("The signature does not match the manifest and this key.")
    )
    try:
        expected = manifest_parse(manifest_bytes.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        report.signature_ok = False
        report.signature_message = str(exc)
        return report
    present = {
        path.relative_to(directory).as_posix()
        for path in directory.rglob("*")
        if path.is_file() or path.is_symlink()
    } - NOT_IN_MANIFEST
    report.missing = sorted(set(expected) - present)
    report.added = sorted(present - set(expected))
    for name in sorted(set(expected) & present):
        path = directory / name
        if path.is_symlink() or file_sha256(path) != expected[name]:
            report.changed.append(name)
        report.checked += 1
    return report
