"""An S3-compatible server on loopback for the mirror's publishing tests.

`s3_serving(work)` starts moto's standalone server (`python -m moto.server`, from the
moto[server] package) in a process group of its own on a free port, waits until it
answers, yields an `S3Server`, and stops the group afterwards. `S3Server` gives the
endpoint URL and the keys it accepts, a boto3 client, and helpers to make a bucket and
read back what one holds (bytes and Content-Type of each object).

moto is an emulator of AWS's APIs, not a storage server: it keeps objects in memory.
It is used because it speaks the S3 REST protocol that boto3 speaks and runs as a real
server that the code under test reaches over HTTP, and it installs from PyPI; MinIO
and Garage are not installable here (neither Debian, PyPI nor npm has them). The code
uses only the S3 API, which Garage, MinIO, Ceph RGW and AWS all serve.

Imported by tests only; does not need Django set up.
"""

import concurrent.futures
import contextlib
import itertools
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from vigil.testing.commands import PYTHON
from vigil.testing.servers import answer_wait, free_port, group_stop

# moto takes any keys; these are what the tests configure, so nothing real is ever used.
ACCESS_KEY_ID = "vigil-test-access-key"
SECRET_ACCESS_KEY = "vigil-test-secret-key"
REGION = "us-east-1"
_names = itertools.count(1)


@dataclass
class S3Server:
    endpoint: str
    process: subprocess.Popen

    def client(self):
        import boto3
        from botocore.config import Config

        return boto3.session.Session().client(
            "s3",
            endpoint_url=self.endpoint,
            region_name=REGION,
            aws_access_key_id=ACCESS_KEY_ID,
            aws_secret_access_key=SECRET_ACCESS_KEY,
            config=Config(s3={"addressing_style": "path"}),
        )

    def bucket_create(self, stem: str = "bucket") -> str:
        """A new empty bucket (a fresh name each call: the server lives for the session)."""
        name = f"{stem}-{next(_names)}"
        self.client().create_bucket(Bucket=name)
        return name

    def listing(self, bucket: str, prefix: str = "") -> dict[str, tuple[str, int]]:
        """(ETag, size) of each object under `prefix`, by its key after it. moto's ETag is
        the MD5 of the bytes it received."""
        start = len(prefix) + 1 if prefix else 0
        found = {}
        paginator = self.client().get_paginator("list_objects_v2")
        for page in paginator.paginate(Bucket=bucket, Prefix=f"{prefix}/" if prefix else ""):
            for item in page.get("Contents", ()):
                found[item["Key"][start:]] = (item["ETag"].strip('"'), item["Size"])
        return found

    def objects(self, bucket: str, prefix: str = "") -> dict[str, tuple[bytes, str]]:
        """(bytes, Content-Type) of each object under `prefix`, by its key after it."""
        client = self.client()
        names = list(self.listing(bucket, prefix))

        def get(name: str) -> tuple[bytes, str]:
            key = f"{prefix}/{name}" if prefix else name
            answer = client.get_object(Bucket=bucket, Key=key)
            return answer["Body"].read(), answer["ContentType"]

        # A few at a time: a copy is hundreds of objects, each a round trip.
        with concurrent.futures.ThreadPoolExecutor(max_workers=4) as pool:
            return dict(zip(names, pool.map(get, names), strict=True))


@contextlib.contextmanager
def s3_serving(work: Path, *, timeout: float = 30) -> Iterator[S3Server]:
    """moto's server on a free loopback port, its log in `work`, stopped afterwards."""
    port = free_port()
    log = work / "moto.log"
    with open(log, "wb") as output:
        # Its log goes to a file: werkzeug writes a line per request, and a pipe no one
        # reads would fill and stall the server.
        process = subprocess.Popen(
            [PYTHON, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        try:
            answer_wait(url=f"http://127.0.0.1:{port}/moto-api/", process=process, timeout=timeout)
        except RuntimeError as error:
            raise RuntimeError(
                f"moto's server did not start ({error}):\n{log.read_text()}"
            ) from None
        yield S3Server(endpoint=f"http://127.0.0.1:{port}", process=process)
    finally:
        group_stop(process)
