"""The archive cipher on its own: round trips of every size that meets a chunk boundary,
and the attacks on the chunking that a per-chunk AEAD alone would let through (a chunk
dropped at a boundary, two swapped, the end cut at a boundary)."""

import base64
import io
import os

import pytest

from vigil.backups.crypto import (
    CHUNK,
    HEADER_BYTES,
    TAG_BYTES,
    BackupKeyError,
    backup_key_generate,
    backup_key_parse,
    stream_decrypt,
    stream_encrypt,
)

KEY = backup_key_parse(text=backup_key_generate())
SEALED = CHUNK + TAG_BYTES


def seal(data: bytes, key: bytes = KEY) -> bytes:
    out = io.BytesIO()
    stream_encrypt(source=io.BytesIO(data), target=out, key=key)
    return out.getvalue()


def open_sealed(data: bytes, key: bytes = KEY) -> bytes:
    out = io.BytesIO()
    stream_decrypt(source=io.BytesIO(data), target=out, key=key, name="archive")
    return out.getvalue()


@pytest.mark.parametrize("size", [0, 1, CHUNK - 1, CHUNK, CHUNK + 1, 2 * CHUNK, 2 * CHUNK + 5])
def test_round_trip(size):
    data = os.urandom(size)
    sealed = seal(data)
    assert open_sealed(sealed) == data
    assert len(sealed) == HEADER_BYTES + max(1, -(-size // CHUNK)) * TAG_BYTES + size
    assert seal(data) != sealed  # a fresh salt, so a fresh key, every time


def _chunks(sealed: bytes) -> tuple[bytes, list[bytes]]:
    body = sealed[HEADER_BYTES:]
    return sealed[:HEADER_BYTES], [body[i : i + SEALED] for i in range(0, len(body), SEALED)]


@pytest.mark.parametrize(
    "attack",
    [
        lambda header, chunks: header + b"".join(chunks[:-1]),  # last chunk dropped
        lambda header, chunks: header + b"".join([chunks[1], chunks[0], chunks[2]]),  # swapped
        lambda header, chunks: header + b"".join(chunks + [chunks[-1]]),  # one repeated
        lambda header, chunks: header[:-1] + bytes([header[-1] ^ 1]) + b"".join(chunks),  # salt
    ],
    ids=["end-cut-at-boundary", "chunks-swapped", "chunk-repeated", "header-changed"],
)
def test_chunk_attacks_are_refused(attack):
    header, chunks = _chunks(seal(os.urandom(2 * CHUNK + 5)))
    assert len(chunks) == 3
    with pytest.raises(BackupKeyError, match="failed authentication"):
        open_sealed(attack(header, chunks))


def test_another_key_is_named_as_such():
    other = backup_key_parse(text=backup_key_generate())
    with pytest.raises(BackupKeyError, match="encrypted with another key"):
        open_sealed(seal(b"data"), key=other)


# Fixed values: xdist's workers must collect the same test names.
CUT_KEY = base64.urlsafe_b64encode(bytes(range(32))).decode()[:-4]


@pytest.mark.parametrize(
    "text", ["", "short", "x" * 44, CUT_KEY], ids=["empty", "short", "not-base64", "cut"]
)
def test_a_malformed_key_is_refused(text):
    with pytest.raises(BackupKeyError, match="not valid"):
        backup_key_parse(text=text)


def test_openssl_base64_is_accepted():
    raw = os.urandom(32)
    assert backup_key_parse(text=base64.b64encode(raw).decode() + "\n") == raw
