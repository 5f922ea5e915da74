"""Pictures keep their pixels, orientation and colour profile, and lose everything else."""

import io

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from PIL import Image, ImageCms
from wagtail.models import Collection

from vigil.images import services
from vigil.images.models import CampaignImage, CampaignRendition
from vigil.images.views import media_path_public

SRGB = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()


def photo(image_format: str, *, orientation: int = 6) -> bytes:
    exif = Image.Exif()
    exif[0x010F] = "SpyPhone"
    exif[0x0110] = "SpyPhone 18 Pro"
    exif[0x0112] = orientation
    exif[0x8825] = {1: "N", 2: (43.0, 15.0, 30.5), 3: "E", 4: (76.0, 55.0, 10.0)}
    buffer = io.BytesIO()
    Image.effect_noise((60, 40), 40).convert("RGB").save(
        buffer, image_format, exif=exif, icc_profile=SRGB, xmp=b"<x:xmpmeta>home</x:xmpmeta>"
    )
    return buffer.getvalue()


@pytest.mark.parametrize("image_format", ["JPEG", "PNG", "WEBP", "AVIF"])
def test_location_and_device_go_while_orientation_and_colour_profile_stay(image_format):
    original = photo(image_format)
    assert b"SpyPhone" in original
    clean = services.image_clean(source=io.BytesIO(original))
    image = Image.open(io.BytesIO(clean.content))
    assert image.format == image_format
    assert not image.getexif() and "xmp" not in image.info
    assert b"SpyPhone" not in clean.content and b"home" not in clean.content
    assert image.info.get("icc_profile") == SRGB
    # Orientation 6 (rotate 90°) is applied to the pixels.
    assert image.size == (40, 60) == (clean.width, clean.height)


def test_a_jpeg_is_re_encoded_with_its_own_quantisation_tables():
    original = Image.open(io.BytesIO(photo("JPEG", orientation=1)))
    clean = Image.open(io.BytesIO(services.image_clean(source=io.BytesIO(photo("JPEG"))).content))
    assert clean.quantization == original.quantization


def test_trailing_data_after_a_jpeg_is_dropped():
    # A motion photo's video, or a depth map, rides after the JPEG's end.
    clean = services.image_clean(source=io.BytesIO(photo("JPEG") + b"ftypmp4 GPS 43.25N"))
    assert b"GPS 43.25N" not in clean.content


def test_too_many_pixels_are_refused_from_the_header(settings):
    settings.WAGTAILIMAGES_MAX_IMAGE_PIXELS = 2000
    with pytest.raises(services.ValidationError) as refused:
        services.image_open_checked(source=io.BytesIO(photo("PNG")))
    assert refused.value.code == "file_too_many_pixels"


def test_the_limit_is_forty_megapixels_for_wagtail_and_pillow():
    from vigil.settings import base

    assert base.WAGTAILIMAGES_MAX_IMAGE_PIXELS == 40_000_000
    assert Image.MAX_IMAGE_PIXELS == 40_000_000


@pytest.mark.django_db
def test_an_image_saved_without_a_form_is_stored_clean(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    image = CampaignImage(title="Kitchen", collection=Collection.get_first_root_node())
    image.file = ContentFile(photo("JPEG"), name="kitchen.jpg")
    image.save()
    stored = image.file.open("rb").read()
    assert b"SpyPhone" not in stored
    assert (image.width, image.height, image.file_size) == (40, 60, len(stored))


@pytest.mark.django_db
def test_stored_pictures_are_cleaned_and_their_renditions_deleted(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    # As stored before this version: written straight to storage, metadata and all.
    name = default_storage.save("original_images/kitchen.jpg", ContentFile(photo("JPEG")))
    root = Collection.get_first_root_node()
    CampaignImage.objects.bulk_create(
        [CampaignImage(title="Kitchen", file=name, width=60, height=40, collection=root)]
    )
    stored = CampaignImage.objects.get()
    rendition = stored.get_rendition("width-30")
    rendition_path = rendition.file.path

    cleaned, deleted = services.images_clean_stored(
        image_model=CampaignImage, rendition_model=CampaignRendition
    )
    assert (cleaned, deleted) == (1, 1)
    stored.refresh_from_db()
    assert stored.file.name == name
    assert b"SpyPhone" not in stored.file.open("rb").read()
    assert (stored.width, stored.height) == (40, 60)
    assert not CampaignRendition.objects.exists()
    assert not (tmp_path / rendition_path).exists()


@pytest.mark.parametrize(
    "path, public",
    [
        ("images/kitchen.max-800x600.jpg", True),
        ("original_images/kitchen.jpg", False),
        ("documents/defence-strategy.pdf", False),
        ("images/../original_images/kitchen.jpg", False),
        ("images/./../documents/a.pdf", False),
        ("/etc/passwd", False),
        ("", False),
    ],
)
def test_only_renditions_are_public_media(path, public):
    assert media_path_public(path) is public
