"""`mirror_publish`: an exported copy sent to S3-compatible buckets and to folders for rsync.

Each target gets only what differs from what it already holds, and in an order that
keeps it checkable at every moment: new and changed files first, then the manifest,
then its signature, and only then are files that left the copy deleted. A reader who
verifies a target while it is being published may see files the manifest does not
name yet, never a manifest naming a file that is not there.

Buckets are reached with boto3 directly, not django-storages: a django-storages
storage is one bucket set up in STORAGES, and publishing needs what Django's Storage
API does not offer: a listing with each object's ETag (unchanged files are skipped
without downloading them), a Content-MD5 on each upload (the server refuses a
corrupted body), deletes in batches, and the order of the uploads in our hands. Only
the S3 API is used, so Garage, MinIO, Ceph RGW and AWS all serve.

The export writes no pre-compressed copies (.gz, .br): each file is uploaded as it
is, with its Content-Type and no Content-Encoding.
"""

import base64
import concurrent.futures
import functools
import hashlib
import mimetypes
import os
import re
import shutil
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from django.conf import settings
from django.utils.translation import gettext as _

from .paths import MANIFEST_NAME, NOT_IN_MANIFEST, SIGNATURE_NAME
from .signing import manifest_parse

# Uploads at once to one bucket: a full copy is thousands of small files, and one at
# a time each waits a round trip to the provider.
UPLOAD_THREADS = 8
# A file being copied into a folder target is written under this name first, then
# renamed over the old one: rsync and readers never see half a file.
FOLDER_PART_SUFFIX = ".vigil-part"
_BUCKET_NAME = re.compile(r"[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]")
_PLAIN_MD5_ETAG = re.compile(r"[0-9a-f]{32}")
_DELETE_BATCH = 1000  # the most keys S3's DeleteObjects takes at once
_CHUNK = 1 << 20
_REPORT_LOCK = threading.Lock()
_TEXT = "; charset=utf-8"
# What the copy holds, typed as the live site types it; anything else by its suffix.
_CONTENT_TYPES = {
    ".html": "text/html" + _TEXT,
    ".xml": "application/xml" + _TEXT,
    ".js": "text/javascript" + _TEXT,
    ".css": "text/css" + _TEXT,
    ".json": "application/json",
    ".txt": "text/plain" + _TEXT,
    ".ics": "text/calendar" + _TEXT,
    ".csv": "text/csv" + _TEXT,
    ".svg": "image/svg+xml",
    ".sha256": "text/plain" + _TEXT,
    ".sig": "text/plain" + _TEXT,
    ".woff2": "font/woff2",
    ".webp": "image/webp",
    ".avif": "image/avif",
}
# Python's own table only: the machine's /etc/mime.types must not change what is sent.
_MIME = mimetypes.MimeTypes(filenames=())


class PublishError(Exception):
    """A target cannot be published to; the message says why."""


@dataclass(frozen=True)
class PublishTarget:
    """Where a copy goes: a bucket and prefix at a provider, or a folder."""

    spec: str
    bucket: str = ""
    prefix: str = ""
    provider: str = ""
    folder: Path | None = None


@dataclass
class PublishReport:
    target: str
    uploaded: int = 0
    skipped: int = 0
    deleted: int = 0
    bytes: int = 0
    error: str = ""


@dataclass(frozen=True)
class _LocalFile:
    name: str
    path: Path
    size: int
    md5: str
    sha256: str


def content_type(name: str) -> str:
    suffix = os.path.splitext(name)[1].lower()
    if suffix in _CONTENT_TYPES:
        return _CONTENT_TYPES[suffix]
    return _MIME.guess_type(name, strict=False)[0] or "application/octet-stream"


# -- targets -------------------------------------------------------------------------


def publish_targets_parse(*, specs: list[str], directory: Path) -> list[PublishTarget]:
    """Each `s3://bucket/prefix[?provider=NAME]` or folder path as a target, checked
    before anything is exported or sent; PublishError naming the first bad one."""
    return [_target_parse(spec=spec, directory=directory.resolve()) for spec in specs]


def _target_parse(*, spec: str, directory: Path) -> PublishTarget:
    parts = urlsplit(spec)
    if parts.scheme == "s3":
        return _bucket_target(spec=spec, parts=parts)
    if parts.scheme not in ("", "file") or (parts.scheme == "file" and parts.netloc):
        raise PublishError(
            _("%(target)s: use s3://bucket/prefix or a folder's path.") % {"target": spec}
        )
    folder = Path(parts.path if parts.scheme else spec).resolve()
    if folder == directory or folder.is_relative_to(directory):
        raise PublishError(
            _("%(target)s: a folder target must be outside the exported copy.") % {"target": spec}
        )
    if directory.is_relative_to(folder):
        raise PublishError(
            _("%(target)s: a folder target must not hold the exported copy.") % {"target": spec}
        )
    if folder.exists() and not folder.is_dir():
        raise PublishError(_("%(target)s is not a folder.") % {"target": spec})
    return PublishTarget(spec=spec, folder=folder)


def _bucket_target(*, spec: str, parts) -> PublishTarget:
    if not _BUCKET_NAME.fullmatch(parts.netloc):
        raise PublishError(
            _("%(target)s: name a bucket (3-63 lowercase letters, digits, dots, hyphens).")
            % {"target": spec}
        )
    provider = parse_qs(parts.query).get("provider", [""])[0].lower()
    config = settings.MIRROR_S3_PROVIDERS.get(provider)
    if config is None:
        raise PublishError(
            _("%(target)s: no provider %(provider)s in MIRROR_S3_PROVIDERS.")
            % {"target": spec, "provider": provider}
        )
    stem = f"MIRROR_S3_{provider.upper()}_" if provider else "MIRROR_S3_"
    for key in ("access_key_id", "secret_access_key"):
        if not config.get(key):
            raise PublishError(
                _("%(target)s: set %(variable)s (in .env or the environment).")
                % {"target": spec, "variable": stem + key.upper()}
            )
    return PublishTarget(
        spec=spec, bucket=parts.netloc, prefix=parts.path.strip("/"), provider=provider
    )


# -- the copy ------------------------------------------------------------------------


def _local_files(directory: Path) -> dict[str, _LocalFile]:
    """Every file the signed manifest names, and the manifest and its signature, hashed.

    A file that is missing or differs from the manifest stops the publish: the copy
    was changed or half rewritten since it was signed, and no target should get it.
    """
    manifest = directory / MANIFEST_NAME
    if not manifest.is_file() or not (directory / SIGNATURE_NAME).is_file():
        raise PublishError(
            _("%(path)s holds no signed copy (%(manifest)s, %(signature)s): export it first.")
            % {"path": directory, "manifest": MANIFEST_NAME, "signature": SIGNATURE_NAME}
        )
    try:
        expected = manifest_parse(manifest.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise PublishError(str(exc)) from None
    files = {}
    for name in [*sorted(expected), MANIFEST_NAME, SIGNATURE_NAME]:
        path = directory / name
        try:
            files[name] = _local_file(name=name, path=path)
        except OSError:
            raise PublishError(
                _("%(name)s is missing from the copy: export it again.") % {"name": name}
            ) from None
        if name in expected and files[name].sha256 != expected[name]:
            raise PublishError(
                _("%(name)s does not match the signed manifest: export the copy again.")
                % {"name": name}
            )
    return files


def _local_file(*, name: str, path: Path) -> _LocalFile:
    md5, sha256, size = hashlib.md5(usedforsecurity=False), hashlib.sha256(), 0
    with open(path, "rb") as handle:
        while chunk := handle.read(_CHUNK):
            md5.update(chunk)
            sha256.update(chunk)
            size += len(chunk)
    return _LocalFile(
        name=name, path=path, size=size, md5=md5.hexdigest(), sha256=sha256.hexdigest()
    )


def _in_order(changed: list[_LocalFile]) -> tuple[list[_LocalFile], list[_LocalFile]]:
    """The changed files, then the manifest and signature among them, in that order."""
    last = [
        file for name in (MANIFEST_NAME, SIGNATURE_NAME) for file in changed if file.name == name
    ]
    return [file for file in changed if file.name not in NOT_IN_MANIFEST], last


def _foreign_check(*, spec: str, present: set[str], local: dict[str, _LocalFile]) -> None:
    """Refuse a target that holds files of something else: they would be deleted.

    Files with the copy's names and no manifest are an earlier publish that stopped
    before its manifest; those are ours to replace."""
    if MANIFEST_NAME not in present and present - set(local):
        raise PublishError(
            _(
                "%(target)s holds files but no %(manifest)s, some not of this site: choose "
                "an empty bucket prefix or folder."
            )
            % {"target": spec, "manifest": MANIFEST_NAME}
        )


# -- publishing ----------------------------------------------------------------------


def mirror_publish(
    *, directory: Path, targets: list[PublishTarget], threads: int = UPLOAD_THREADS
) -> list[PublishReport]:
    """Send the signed copy in `directory` to each target: only what changed, the
    manifest and its signature last, then deletions. A target that fails has its
    error in its report and the others go on; PublishError when the copy itself
    cannot be sent (not signed, or changed since)."""
    local = _local_files(directory.resolve())
    reports = []
    for target in targets:
        report = PublishReport(target=target.spec)
        try:
            if target.folder is not None:
                _folder_publish(target=target, local=local, report=report)
            else:
                _bucket_publish(target=target, local=local, report=report, threads=threads)
        except PublishError as error:
            report.error = str(error)
        reports.append(report)
    return reports


def _changed(
    *, local: dict[str, _LocalFile], same: Callable[[_LocalFile], bool], report: PublishReport
) -> list[_LocalFile]:
    changed = []
    for file in local.values():
        if same(file):
            report.skipped += 1
        else:
            changed.append(file)
    return changed


# -- folders -------------------------------------------------------------------------


def _folder_publish(*, target: PublishTarget, local: dict[str, _LocalFile], report) -> None:
    root = target.folder
    try:
        root.mkdir(parents=True, exist_ok=True)
        present = {
            path.relative_to(root).as_posix(): path
            for path in root.rglob("*")
            if path.is_file() and not path.name.endswith(FOLDER_PART_SUFFIX)
        }
        _foreign_check(spec=target.spec, present=set(present), local=local)

        def same(file: _LocalFile) -> bool:
            path = present.get(file.name)
            return (
                path is not None
                and path.stat().st_size == file.size
                and _local_file(name=file.name, path=path).sha256 == file.sha256
            )

        files, last = _in_order(_changed(local=local, same=same, report=report))
        for file in [*files, *last]:
            _folder_copy(file=file, path=root / file.name)
            report.uploaded += 1
            report.bytes += file.size
        for name in sorted(set(present) - set(local)):
            present[name].unlink()
            report.deleted += 1
        # A copy that stopped half way (the machine went down) leaves its part file.
        for part in root.rglob("*" + FOLDER_PART_SUFFIX):
            part.unlink()
        _empty_folders_remove(root)
    except OSError as exc:
        raise PublishError(
            _("%(target)s: %(error)s") % {"target": target.spec, "error": exc}
        ) from None


def _folder_copy(*, file: _LocalFile, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    part = path.with_name("." + path.name + FOLDER_PART_SUFFIX)
    shutil.copyfile(file.path, part)
    part.replace(path)


def _empty_folders_remove(root: Path) -> None:
    for path in sorted(root.rglob("*"), reverse=True):
        if path.is_dir() and not any(path.iterdir()):
            path.rmdir()


# -- buckets -------------------------------------------------------------------------


def _bucket_publish(
    *, target: PublishTarget, local: dict[str, _LocalFile], report: PublishReport, threads: int
) -> None:
    # Imported here, not at the top: boto3 takes a noticeable part of a second to load,
    # and every manage.py command and server start loads this module.
    from botocore.exceptions import BotoCoreError, ClientError

    try:
        client = _s3_client(provider=target.provider, threads=threads)
        listing = _bucket_listing(client=client, target=target)
        _foreign_check(spec=target.spec, present=set(listing), local=local)
        published: dict[str, str] | None = None

        def same(file: _LocalFile) -> bool:
            nonlocal published
            etag, size = listing.get(file.name, ("", -1))
            if size != file.size:
                return False
            if _PLAIN_MD5_ETAG.fullmatch(etag):
                return etag == file.md5
            # A provider that encrypts, or a multipart upload, gives an ETag that is no
            # MD5: the target's own manifest says what it holds then.
            if published is None:
                published = _bucket_manifest(client=client, target=target)
            return published.get(file.name) == file.sha256

        files, last = _in_order(_changed(local=local, same=same, report=report))
        upload = functools.partial(_bucket_upload, client=client, target=target, report=report)
        _uploads_run(upload=upload, files=files, threads=threads)
        _uploads_run(upload=upload, files=last, threads=1)
        gone = sorted(set(listing) - set(local))
        _bucket_delete(client=client, target=target, names=gone)
        report.deleted += len(gone)
    except ClientError as exc:
        error = exc.response.get("Error", {})
        raise PublishError(
            _("%(target)s: the provider answered %(code)s: %(message)s")
            % {
                "target": target.spec,
                "code": error.get("Code", "?"),
                "message": error.get("Message", "") or str(exc),
            }
        ) from None
    except BotoCoreError as exc:
        raise PublishError(
            _("%(target)s: %(error)s") % {"target": target.spec, "error": exc}
        ) from None


def _s3_client(*, provider: str, threads: int):
    """A boto3 client for the provider's endpoint and keys (settings.MIRROR_S3_PROVIDERS)."""
    import boto3  # here for the reason in _bucket_publish
    from botocore.config import Config

    config = settings.MIRROR_S3_PROVIDERS[provider]
    endpoint = config.get("endpoint_url") or None
    options = Config(
        connect_timeout=10,
        read_timeout=60,
        retries={"max_attempts": 3, "mode": "standard"},
        max_pool_connections=threads,
        # Services other than AWS (Garage, MinIO, Ceph) answer at one host, bucket in the path.
        s3={"addressing_style": "path"} if endpoint else {},
        # boto3's newer default checksums (CRC32, chunked bodies) are refused by several
        # S3-compatible services; each upload carries a Content-MD5 the server checks.
        request_checksum_calculation="when_required",
        response_checksum_validation="when_required",
    )
    return boto3.session.Session().client(
        "s3",
        endpoint_url=endpoint,
        region_name=config.get("region") or "us-east-1",
        aws_access_key_id=config["access_key_id"],
        aws_secret_access_key=config["secret_access_key"],
        config=options,
    )


def _key(target: PublishTarget, name: str) -> str:
    return f"{target.prefix}/{name}" if target.prefix else name


def _bucket_listing(*, client, target: PublishTarget) -> dict[str, tuple[str, int]]:
    """(ETag, size) of each object under the target's prefix, by its name in the copy."""
    start = len(_key(target, ""))
    found = {}
    paginator = client.get_paginator("list_objects_v2")
    for page in paginator.paginate(Bucket=target.bucket, Prefix=_key(target, "")):
        for item in page.get("Contents", ()):
            name = item["Key"][start:]
            if name and not name.endswith("/"):
                found[name] = (item["ETag"].strip('"'), item["Size"])
    return found


def _bucket_manifest(*, client, target: PublishTarget) -> dict[str, str]:
    """The manifest the target holds ({} when none or unreadable: upload everything)."""
    from botocore.exceptions import ClientError  # here for the reason in _bucket_publish

    try:
        body = client.get_object(Bucket=target.bucket, Key=_key(target, MANIFEST_NAME))["Body"]
        return manifest_parse(body.read().decode("utf-8"))
    except (ClientError, UnicodeDecodeError, ValueError):
        return {}


def _bucket_upload(file: _LocalFile, *, client, target: PublishTarget, report) -> None:
    client.put_object(
        Bucket=target.bucket,
        Key=_key(target, file.name),
        Body=file.path.read_bytes(),
        ContentType=content_type(file.name),
        ContentMD5=base64.b64encode(bytes.fromhex(file.md5)).decode("ascii"),
    )
    # Several threads count into one report, and `+=` reads then writes: under a lock.
    with _REPORT_LOCK:
        report.uploaded += 1
        report.bytes += file.size


def _uploads_run(
    *, upload: Callable[[_LocalFile], None], files: list[_LocalFile], threads: int
) -> None:
    """Upload `files`, `threads` at a time; on the first failure the rest are not begun
    and the error is raised once those under way have ended."""
    if not files:
        return
    with concurrent.futures.ThreadPoolExecutor(max_workers=threads) as pool:
        futures = [pool.submit(upload, file) for file in files]
        try:
            for future in concurrent.futures.as_completed(futures):
                future.result()
        finally:
            for future in futures:
                future.cancel()


def _bucket_delete(*, client, target: PublishTarget, names: list[str]) -> None:
    for start in range(0, len(names), _DELETE_BATCH):
        batch = names[start : start + _DELETE_BATCH]
        answer = client.delete_objects(
            Bucket=target.bucket,
            Delete={"Objects": [{"Key": _key(target, name)} for name in batch], "Quiet": True},
        )
        errors = answer.get("Errors")
        if errors:
            raise PublishError(
                _("%(target)s: %(name)s could not be deleted: %(message)s")
                % {
                    "target": target.spec,
                    "name": errors[0].get("Key", ""),
                    "message": errors[0].get("Message", ""),
                }
            )
