"""What an attacker (or a careless editor's phone) uploads; shared with bench/security.

Plain Pillow, pypdf and zlib, no Django: the security bench builds the same files
outside any Django process.
"""

import hashlib
import hmac
import io
import struct
import time
import zlib

from PIL import Image
from pypdf import PdfWriter
from pypdf.generic import ArrayObject, DictionaryObject, NameObject, TextStringObject

CAMERA = "SpyPhone 18 Pro"
GPS_LATITUDE = (43.0, 15.0, 30.5)


def geotagged_jpeg(*, size=(320, 200)) -> bytes:
    """A phone photo: GPS position, make and model, rotated by its EXIF orientation."""
    exif = Image.Exif()
    exif[0x010F] = "SpyPhone"  # Make
    exif[0x0110] = CAMERA  # Model
    exif[0x0112] = 6  # Orientation: turn 90° to show it upright
    exif[0x8825] = {1: "N", 2: GPS_LATITUDE, 3: "E", 4: (76.0, 55.0, 10.0)}
    buffer = io.BytesIO()
    Image.effect_noise(size, 40).convert("RGB").save(buffer, "JPEG", exif=exif, quality=90)
    return buffer.getvalue()


def has_location(data: bytes) -> bool:
    """Whether a picture still tells where or with what it was taken."""
    image = Image.open(io.BytesIO(data))
    exif = image.getexif()
    return bool(
        exif
        or exif.get_ifd(0x8825)
        or b"SpyPhone" in data
        or any(key in image.info for key in ("exif", "xmp", "XML:com.adobe.xmp"))
    )


def huge_png(side: int = 11_000) -> bytes:
    """A 121-megapixel grey PNG of ~120 KB, made without holding its pixels in memory."""
    compressor = zlib.compressobj(9)
    row = b"\x00" * (side + 1)
    body = b"".join(compressor.compress(row) for _ in range(side)) + compressor.flush()

    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = struct.pack(">I", zlib.crc32(kind + data))
        return struct.pack(">I", len(data)) + kind + data + crc

    header = struct.pack(">IIBBBBB", side, side, 8, 0, 0, 0, 0)
    chunks = chunk(b"IHDR", header) + chunk(b"IDAT", body) + chunk(b"IEND", b"")
    return b"\x89PNG\r\n\x1a\n" + chunks


def _action(kind: str) -> DictionaryObject:
    action = DictionaryObject(
        {NameObject("/Type"): NameObject("/Action"), NameObject("/S"): NameObject(kind)}
    )
    if kind == "/JavaScript":
        action[NameObject("/JS")] = TextStringObject("app.launchURL('https://x.example/')")
    else:
        action[NameObject("/F")] = TextStringObject("cmd.exe")
    return action


def pdf_with(
    *, open_action: str | None = None, names_js=False, attachment=False, link=False
) -> bytes:
    """A one-page PDF with the active content an attacker would put in it."""
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    if open_action:
        writer._root_object[NameObject("/OpenAction")] = writer._add_object(_action(open_action))
    if names_js:
        tree = ArrayObject([TextStringObject("a"), writer._add_object(_action("/JavaScript"))])
        names = DictionaryObject(
            {NameObject("/JavaScript"): DictionaryObject({NameObject("/Names"): tree})}
        )
        writer._root_object[NameObject("/Names")] = writer._add_object(names)
    if attachment:
        writer.add_attachment("payload.exe", b"MZ")
    if link:
        writer.add_uri(0, "https://example.org/", [0, 0, 10, 10])
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def totp_code(key_hex: str, *, at: float | None = None) -> str:
    """The authenticator app's code (RFC 6238: SHA-1, 30 s, 6 digits) for a hex key."""
    counter = struct.pack(">Q", int((time.time() if at is None else at) // 30))
    digest = hmac.new(bytes.fromhex(key_hex), counter, hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    value = struct.unpack(">I", digest[offset : offset + 4])[0] & 0x7FFFFFFF
    return f"{value % 1_000_000:06d}"
