"""Image uploads are capped by size (WAGTAILIMAGES_MAX_UPLOAD_SIZE) with a clear form error."""

import io

import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image
from wagtail.models import Collection

from vigil.images.models import CampaignImage

pytestmark = pytest.mark.django_db


def png(size: int = 64) -> bytes:
    buffer = io.BytesIO()
    Image.effect_noise((size, size), 64).convert("RGB").save(buffer, "PNG")
    return buffer.getvalue()


@pytest.fixture
def editor_client(client):
    user = get_user_model().objects.create_superuser("editor", "e@example.org", "x" * 16)
    client.force_login(user)
    return client


def _upload(client, content: bytes, name="photo.png"):
    return client.post(
        reverse("wagtailimages:add"),
        {
            "title": "Photo",
            "file": SimpleUploadedFile(name, content, content_type="image/png"),
            "collection": Collection.get_first_root_node().pk,
        },
    )


def test_an_image_over_the_cap_is_refused_with_a_message(editor_client, settings):
    content = png(200)
    settings.WAGTAILIMAGES_MAX_UPLOAD_SIZE = len(content) - 1
    response = _upload(editor_client, content)
    assert response.status_code == 200
    errors = " ".join(response.context["form"].errors["file"])
    assert "This file is too big" in errors
    assert not CampaignImage.objects.exists()


def test_an_image_under_the_cap_is_taken(editor_client, settings):
    content = png(200)
    settings.WAGTAILIMAGES_MAX_UPLOAD_SIZE = len(content)
    assert _upload(editor_client, content).status_code == 302
    assert CampaignImage.objects.count() == 1


def test_a_file_that_is_not_an_image_is_refused(editor_client):
    response = _upload(editor_client, b"<svg onload=alert(1)></svg>", name="photo.png")
    assert response.status_code == 200
    assert response.context["form"].errors["file"]
    assert not CampaignImage.objects.exists()


def test_the_production_cap_is_ten_megabytes():
    from vigil.settings import base

    assert base.WAGTAILIMAGES_MAX_UPLOAD_SIZE == 10 * 1024 * 1024


def test_a_picture_over_the_pixel_limit_is_refused_saying_the_limit(editor_client, settings):
    settings.WAGTAILIMAGES_MAX_IMAGE_PIXELS = 1_000_000
    response = _upload(editor_client, png(1001))
    assert response.status_code == 200
    errors = " ".join(response.context["form"].errors["file"])
    assert "too many pixels: the site takes pictures of up to 1 megapixels" in errors
    assert not CampaignImage.objects.exists()
