"""What an uploaded picture may keep, and how big a picture the site will decode.

A photo straight from a phone carries where it was taken (GPS), when, and the phone's
make, model and serial number in its EXIF, XMP and IPTC blocks; a JPEG may also carry
a second image after its end (motion photos, depth maps). Opponents who fetch the file
learn where the family lives or who took the picture. `image_clean` re-encodes every
picture Pillow can write with its pixels, its colour profile and its orientation (applied
to the pixels, so no EXIF block is needed for it) and nothing else.

Pixels are checked from the file's header before anything is decoded: a 121-megapixel
PNG of a few kilobytes otherwise costs the worker hundreds of megabytes to decode.
"""

import hashlib
import io
import logging
import warnings
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, JpegImagePlugin, UnidentifiedImageError

logger = logging.getLogger(__name__)

# 40 megapixels: every phone's default picture (12-24 MP, and 48-50 MP sensors save
# 12 MP by default) and most cameras fit; one decoded RGB copy is ~120 MB, which a
# worker can afford, where Wagtail's default (128 MP) costs 380 MB and more.
DEFAULT_MAX_PIXELS = 40_000_000

# Formats written back by Pillow, and how. Anything else (SVG, which Pillow cannot
# read, is not an accepted extension) is left as uploaded.
WRITABLE_FORMATS = {"JPEG", "PNG", "WEBP", "GIF", "AVIF"}


@dataclass(frozen=True)
class CleanImage:
    """A picture re-encoded without its metadata."""

    content: bytes
    width: int
    height: int

    @property
    def sha1(self) -> str:
        # Wagtail's file_hash.
        return hashlib.sha1(self.content, usedforsecurity=False).hexdigest()


def image_max_pixels() -> int:
    return getattr(settings, "WAGTAILIMAGES_MAX_IMAGE_PIXELS", None) or DEFAULT_MAX_PIXELS


def _too_many_pixels(pixels: int | None, limit: int) -> ValidationError:
    return ValidationError(
        _(
            "This picture has too many pixels (%(pixels)s megapixels; the site takes up to "
            "%(limit)s). Make it smaller, e.g. 6000 pixels wide, and upload it again."
        )
        % {
            "pixels": f"{pixels / 1_000_000:.0f}" if pixels else "?",
            "limit": f"{limit / 1_000_000:.0f}",
        },
        code="file_too_many_pixels",
    )


def image_open_checked(*, source) -> Image.Image:
    """Open a picture reading only its header; refuse it if it has too many pixels.

    Pillow decodes nothing until the pixels are used, so the size and frame count
    come from the header. Pillow's own bomb check (MAX_IMAGE_PIXELS, set to the same
    limit in apps.py) is made an error here instead of a warning.
    """
    limit = image_max_pixels()
    source.seek(0)
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            image = Image.open(source)
        except (Image.DecompressionBombWarning, Image.DecompressionBombError):
            raise _too_many_pixels(None, limit) from None
    width, height = image.size
    frames = getattr(image, "n_frames", 1) or 1
    pixels = width * height * frames
    if pixels > limit:
        raise _too_many_pixels(pixels, limit)
    return image


def _save_options(image: Image.Image, source_format: str) -> dict:
    """How to write `image` back in its own format, keeping its look and colour profile."""
    options: dict = {"format": source_format}
    icc = image.info.get("icc_profile")
    if icc:
        options["icc_profile"] = icc
    if image.info.get("dpi"):
        options["dpi"] = image.info["dpi"]
    if source_format == "JPEG":
        # The camera's own quantisation tables and subsampling: re-encoding with them
        # loses next to nothing, where a fixed quality would blur or bloat.
        options["qtables"] = image.quantization
        sampling = JpegImagePlugin.get_sampling(image)
        if sampling != -1:
            options["subsampling"] = sampling
        if image.info.get("progressive"):
            options["progressive"] = True
    elif source_format in ("WEBP", "AVIF"):
        # Lossy formats without tables to reuse: a high quality, so a re-encode shows nothing.
        options["quality"] = 90
    return options


def _animated_options(image: Image.Image) -> dict:
    options = {"save_all": True}
    for key in ("duration", "loop", "disposal", "transparency", "background"):
        if key in image.info:
            options[key] = image.info[key]
    return options


def image_clean(*, source) -> CleanImage | None:
    """`source` re-encoded without location, device or any other metadata.

    Keeps the pixels, the ICC colour profile and the orientation (applied to the
    pixels). Returns None for a file Pillow cannot read or write (the upload form has
    refused those already); raises ValidationError when it has too many pixels.
    """
    try:
        image = image_open_checked(source=source)
    except (UnidentifiedImageError, OSError, ValueError) as error:
        logger.warning("Picture left as uploaded: Pillow cannot read it (%s)", error)
        return None
    source_format = image.format
    if source_format not in WRITABLE_FORMATS:
        return None
    options = _save_options(image, source_format)
    frames = getattr(image, "n_frames", 1) or 1
    output = io.BytesIO()
    if frames > 1:
        # Orientation of an animation is left to the frames as drawn.
        image.save(output, **options, **_animated_options(image))
    else:
        image.load()
        upright = ImageOps.exif_transpose(image)
        # exif_transpose copies `info`, EXIF and XMP included: drop them explicitly.
        for key in ("exif", "xmp", "XML:com.adobe.xmp", "comment", "photoshop", "iptc"):
            upright.info.pop(key, None)
        upright.save(output, **options)
        image = upright
    return CleanImage(content=output.getvalue(), width=image.width, height=image.height)


def image_file_clean(*, image) -> bool:
    """Replace `image`'s newly chosen file by its clean copy, before it is stored.

    Returns whether the file was replaced. Wagtail's size and hash fields follow.
    """
    clean = image_clean(source=image.file)
    if clean is None:
        return False
    name = image.file.name.rsplit("/", 1)[-1]
    # Assigning a new file makes the ImageField read width and height again.
    image.file = ContentFile(clean.content, name=name)
    image.file_size = len(clean.content)
    image.file_hash = clean.sha1
    return True


def images_clean_stored(*, image_model, rendition_model) -> tuple[int, int]:
    """Clean every stored original in place and delete every rendition made from it.

    Used by migration images.0002 and `manage.py images_strip_metadata`; takes the
    models as arguments so the migration can pass its historical ones. Renditions are
    made again, from the clean originals, when a page next needs them. Returns
    (originals cleaned, renditions deleted).
    """
    cleaned = 0
    deleted = 0
    for image in image_model.objects.all().iterator():
        storage = image.file.storage
        name = image.file.name
        try:
            with storage.open(name, "rb") as handle:
                clean = image_clean(source=io.BytesIO(handle.read()))
        except (OSError, ValidationError) as error:
            logger.warning("Picture %s (%s) left as it is: %s", image.pk, name, error)
            continue
        if clean is not None:
            storage.delete(name)
            stored = storage.save(name, ContentFile(clean.content))
            image_model.objects.filter(pk=image.pk).update(
                file=stored,
                width=clean.width,
                height=clean.height,
                file_size=len(clean.content),
                file_hash=clean.sha1,
            )
            cleaned += 1
        for rendition in rendition_model.objects.filter(image_id=image.pk):
            if rendition.file:
                rendition.file.storage.delete(rendition.file.name)
            rendition.delete()
            deleted += 1
    return cleaned, deleted
