"""Publishing the exported demo to buckets on a real S3-compatible server (moto's, on
loopback) and to a folder: every file, only what changed, the manifest last.

A full upload of the demo is hundreds of requests, so the module publishes it once
(`published`, to two buckets and a folder) and the tests read that, or publish a few
files on top of it."""

import hashlib
import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import override_settings

from vigil.mirror import services
from vigil.mirror.services import publish
from vigil.mirror.services.paths import MANIFEST_NAME, SIGNATURE_NAME
from vigil.mirror.services.signing import manifest_parse, manifest_sign
from vigil.testing.s3 import ACCESS_KEY_ID, REGION, SECRET_ACCESS_KEY
from vigil.testing.servers import free_port


@pytest.fixture(scope="module")
def providers(s3_server):
    """The default provider is the test server; "down" is an endpoint nothing answers;
    "keyless" has no keys."""
    keys = {"access_key_id": ACCESS_KEY_ID, "secret_access_key": SECRET_ACCESS_KEY}
    configured = {
        "": {"endpoint_url": s3_server.endpoint, "region": REGION, **keys},
        "down": {"endpoint_url": f"http://127.0.0.1:{free_port()}", "region": REGION, **keys},
        "keyless": {"endpoint_url": s3_server.endpoint, "region": REGION},
    }
    with override_settings(MIRROR_S3_PROVIDERS=configured):
        yield configured


@pytest.fixture(scope="module")
def requests_seen():
    """Each bucket's requests as the publishing code makes them, in order: ("start", key)
    when an upload is sent, ("end", key) when the server has answered it, ("delete", key).

    An upload started after another's end was sent once the server held the first file.
    Tests clear it before publishing what they look at."""
    seen: dict[str, list[tuple[str, str]]] = {}
    real_client = publish._s3_client

    def client(**kwargs):
        made = real_client(**kwargs)

        def start(params, context, **_kwargs):
            context["vigil"] = (params["Bucket"], params["Key"])
            seen.setdefault(params["Bucket"], []).append(("start", params["Key"]))

        def end(context, **_kwargs):
            bucket, key = context["vigil"]
            seen[bucket].append(("end", key))

        def delete(params, **_kwargs):
            for item in params["Delete"]["Objects"]:
                seen.setdefault(params["Bucket"], []).append(("delete", item["Key"]))

        made.meta.events.register("before-parameter-build.s3.PutObject", start)
        made.meta.events.register("after-call.s3.PutObject", end)
        made.meta.events.register("before-parameter-build.s3.DeleteObjects", delete)
        return made

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(publish, "_s3_client", client)
        yield seen


@dataclass
class Published:
    directory: Path
    first: str  # bucket, the copy under mirror/
    second: str  # bucket, the copy at its root
    folder: Path
    reports: list[services.PublishReport]
    events: dict[str, list[tuple[str, str]]]


@pytest.fixture(scope="module")
def published(exported, s3_server, providers, requests_seen, tmp_path_factory) -> Published:
    """The exported demo published once to two buckets and a folder, as export_site
    --publish does; a test that changes a target puts the copy back before it ends."""
    directory, _summary = exported
    first, second = s3_server.bucket_create("first"), s3_server.bucket_create("second")
    folder = tmp_path_factory.mktemp("rsync") / "copy"
    specs = [f"s3://{first}/mirror/", f"s3://{second}", str(folder)]
    reports = services.mirror_publish(
        directory=directory, targets=_targets(*specs, directory=directory)
    )
    events = {bucket: list(requests_seen.get(bucket, ())) for bucket in (first, second)}
    return Published(directory, first, second, folder, reports, events)


def _files(root: Path) -> dict[str, bytes]:
    return {
        path.relative_to(root).as_posix(): path.read_bytes()
        for path in root.rglob("*")
        if path.is_file()
    }


def _targets(*specs: str, directory: Path) -> list[services.PublishTarget]:
    return services.publish_targets_parse(specs=list(specs), directory=directory)


def _assert_manifest_last(events: list[tuple[str, str]], *, prefix: str = "") -> None:
    """The manifest was sent only once every other upload was answered, the signature
    once the manifest was, and nothing was deleted before both."""
    manifest, signature = (f"{prefix}{name}" for name in (MANIFEST_NAME, SIGNATURE_NAME))
    order = {event: index for index, event in enumerate(events)}
    others = [
        index
        for (kind, key), index in order.items()
        if kind == "end" and key not in (manifest, signature)
    ]
    assert others, "the files were uploaded"
    assert order[("start", manifest)] > max(others)
    assert order[("start", signature)] > order[("end", manifest)]
    deletes = [index for (kind, _key), index in order.items() if kind == "delete"]
    assert all(index > order[("end", signature)] for index in deletes)


def _copy_resign(*, source: Path, copy: Path, key: Path, change: str, remove: str) -> None:
    """`source` copied to `copy` with one file changed and one removed, signed again."""
    shutil.copytree(source, copy)
    page = copy / change
    page.write_bytes(page.read_bytes().replace(b"</body>", b"<!-- edited --></body>"))
    (copy / remove).unlink()
    files = manifest_parse((copy / MANIFEST_NAME).read_text())
    del files[remove]
    files[change] = hashlib.sha256(page.read_bytes()).hexdigest()
    manifest_sign(directory=copy, files=files, key=key)


def test_publish_sends_every_file_to_two_buckets_and_a_folder_manifest_last(
    published, signing_key, s3_server, tmp_path
):
    """Same bytes and Content-Type everywhere; the manifest and signature sent after every
    other file was stored; a copy read back from a bucket passes verify_mirror."""
    local = _files(published.directory)
    assert [report.error for report in published.reports] == ["", "", ""]
    for report in published.reports:
        assert (report.uploaded, report.skipped, report.deleted) == (len(local), 0, 0)
        assert report.bytes == sum(len(data) for data in local.values())
    assert _files(published.folder) == local
    _assert_manifest_last(published.events[published.first], prefix="mirror/")
    _assert_manifest_last(published.events[published.second])
    # The second bucket by the MD5 moto took of each body; the first read back whole.
    assert s3_server.listing(published.second) == {
        name: (hashlib.md5(data).hexdigest(), len(data)) for name, data in local.items()
    }
    objects = s3_server.objects(published.first, "mirror")
    assert {name: data for name, (data, _type) in objects.items()} == local
    for name, (_data, kind) in objects.items():
        assert kind == publish.content_type(name), name
    assert objects["index.html"][1] == "text/html; charset=utf-8"
    assert objects["static/css/vigil.css"][1] == "text/css; charset=utf-8"
    assert objects["static/js/day-count.js"][1] == "text/javascript; charset=utf-8"
    assert objects["updates/feed/rss/index.xml"][1] == "application/xml; charset=utf-8"
    assert objects[MANIFEST_NAME][1] == "text/plain; charset=utf-8"
    assert all(kind != "application/octet-stream" for _data, kind in objects.values())

    downloaded = tmp_path / "downloaded"
    for name, (data, _type) in objects.items():
        (downloaded / name).parent.mkdir(parents=True, exist_ok=True)
        (downloaded / name).write_bytes(data)
    call_command("verify_mirror", str(downloaded), public_key=f"{signing_key}.pub")


def test_publish_again_sends_only_what_changed_and_deletes_what_left(
    published, signing_key, s3_server, requests_seen, tmp_path
):
    """Nothing changed: nothing sent. One page edited and one removed: that page, then the
    manifest and signature, then the removed file deleted, in the bucket and the folder."""
    directory, bucket, folder = published.directory, published.second, published.folder
    targets = _targets(f"s3://{bucket}", str(folder), directory=directory)
    requests_seen.clear()
    for report in services.mirror_publish(directory=directory, targets=targets):
        assert (report.uploaded, report.deleted, report.error) == (0, 0, "")
        assert report.skipped == len(_files(directory))
    assert requests_seen == {}

    copy = tmp_path / "edited"
    changed, removed = "ru/updates/index.html", "kk/index.html"
    _copy_resign(source=directory, copy=copy, key=signing_key, change=changed, remove=removed)
    edited = _targets(f"s3://{bucket}", str(folder), directory=copy)
    try:
        for report in services.mirror_publish(directory=copy, targets=edited):
            assert (report.uploaded, report.deleted, report.error) == (3, 1, "")
        assert requests_seen[bucket] == [
            ("start", changed),
            ("end", changed),
            ("start", MANIFEST_NAME),
            ("end", MANIFEST_NAME),
            ("start", SIGNATURE_NAME),
            ("end", SIGNATURE_NAME),
            ("delete", removed),
        ]
        local = _files(copy)
        assert s3_server.listing(bucket) == {
            name: (hashlib.md5(data).hexdigest(), len(data)) for name, data in local.items()
        }
        assert _files(folder) == local
    finally:
        # Back as the module published it: the page, the removed file and the manifest.
        for report in services.mirror_publish(directory=directory, targets=targets):
            assert (report.uploaded, report.deleted, report.error) == (4, 0, "")


def _small_copy(*, root: Path, key: Path) -> Path:
    """A signed copy of three files, for what does not need the whole demo."""
    files = {"index.html": b"<p>Free him</p>", "ru/index.html": "<p>Свободу</p>".encode()}
    files["robots.txt"] = b"User-agent: *\n"
    for name, data in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_bytes(data)
    digests = {name: hashlib.sha256(data).hexdigest() for name, data in files.items()}
    manifest_sign(directory=root, files=digests, key=key)
    return root


def test_a_failing_target_is_named_and_the_others_are_published(
    s3_server, providers, signing_key, tmp_path, capsys
):
    """An endpoint nothing answers and a missing bucket: each named, a non-zero exit, and
    the bucket and folder listed beside them get the whole copy."""
    directory = _small_copy(root=tmp_path / "copy", key=signing_key)
    bucket, folder = s3_server.bucket_create("beside"), tmp_path / "rsync"
    with pytest.raises(CommandError, match="2 of 4 targets were not published"):
        call_command(
            "publish_mirror",
            str(directory),
            f"s3://{bucket}/copy?provider=down",
            "s3://no-such-bucket/copy",
            f"s3://{bucket}/copy",
            str(folder),
        )
    output = capsys.readouterr()
    assert f"s3://{bucket}/copy?provider=down: Could not connect to the endpoint URL" in output.err
    assert "s3://no-such-bucket/copy: the provider answered NoSuchBucket" in output.err
    assert f"Published to s3://{bucket}/copy: 5 files uploaded" in output.out
    assert f"Published to {folder}: 5 files uploaded" in output.out
    assert s3_server.objects(bucket, "copy")["ru/index.html"] == (
        "<p>Свободу</p>".encode(),
        "text/html; charset=utf-8",
    )
    assert _files(folder) == _files(directory)


def test_bad_targets_are_refused_before_anything_is_sent(
    s3_server, providers, signing_key, tmp_path
):
    """An unknown scheme, no bucket, an unknown provider, no keys, a folder inside the copy,
    a bucket holding something else, a copy changed since it was signed: a clear error,
    and nothing sent."""
    directory = _small_copy(root=tmp_path / "copy", key=signing_key)
    for target, message in (
        ("ftp://example.org/copy", "use s3://bucket/prefix or a folder"),
        ("s3:///copy", "name a bucket"),
        ("s3://Bad_Bucket/copy", "name a bucket"),
        ("s3://bucket/copy?provider=nowhere", "no provider nowhere"),
        ("s3://bucket/copy?provider=keyless", "set MIRROR_S3_KEYLESS_ACCESS_KEY_ID"),
    ):
        with pytest.raises(CommandError, match=message):
            call_command("publish_mirror", str(directory), target)
        with pytest.raises(CommandError, match=message):
            call_command("export_site", str(tmp_path / "unused"), publish=[target])
    assert not (tmp_path / "unused").exists()
    for target, message in (
        (str(directory / "inside"), "outside the exported copy"),
        (str(directory.parent), "must not hold the exported copy"),
    ):
        with pytest.raises(CommandError, match=message):
            call_command("publish_mirror", str(directory), target)

    foreign = s3_server.bucket_create("foreign")
    s3_server.client().put_object(Bucket=foreign, Key="photos/holiday.jpg", Body=b"x")
    with pytest.raises(CommandError, match="1 of 1 targets was not published"):
        call_command("publish_mirror", str(directory), f"s3://{foreign}")
    assert list(s3_server.objects(foreign)) == ["photos/holiday.jpg"]

    unsigned = tmp_path / "unsigned"
    shutil.copytree(directory, unsigned)
    (unsigned / "robots.txt").write_text("User-agent: *\nDisallow: /\n")
    with pytest.raises(CommandError, match="robots.txt does not match the signed manifest"):
        call_command("publish_mirror", str(unsigned), f"s3://{foreign}")
