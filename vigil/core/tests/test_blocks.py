import io

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from fpdf import FPDF
from PIL import Image as PILImage
from wagtail.documents import get_document_model
from wagtail.images import get_image_model

from vigil.core.blocks import CaptionedImageBlock
from vigil.news.tests.factories import UpdatePageFactory


@pytest.fixture
def image(db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    buffer = io.BytesIO()
    PILImage.new("RGB", (640, 480), (120, 30, 30)).save(buffer, "PNG")
    return get_image_model().objects.create(
        title="Court building",
        credit="Photo: campaign archive",
        file=SimpleUploadedFile("court.png", buffer.getvalue()),
    )


@pytest.fixture
def document(db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("helvetica", size=12)
    pdf.cell(text="Opinion No. 57/2022")
    return get_document_model().objects.create(
        title="Opinion No. 57/2022",
        file=SimpleUploadedFile("opinion.pdf", bytes(pdf.output())),
    )


def test_image_block_renders_alt_text_caption_and_credit(client, updates_index, image):
    update = UpdatePageFactory(
        parent=updates_index,
        body=[
            {
                "type": "image",
                "value": {
                    "image": image.pk,
                    "alt_text": "The court building in Astana",
                    "caption": "Where the trial was held.",
                },
            }
        ],
    )
    content = client.get(update.url).content.decode()
    assert 'alt="The court building in Astana"' in content
    assert "Where the trial was held." in content
    assert "Photo: campaign archive" in content
    assert 'loading="lazy"' in content


def test_image_block_requires_alt_text(image):
    """An image without alternative text cannot be saved."""
    block = CaptionedImageBlock()
    with pytest.raises(ValidationError):
        block.clean(block.to_python({"image": image.pk, "alt_text": "", "caption": ""}))


def test_document_block_links_with_type_and_size(client, updates_index, document):
    update = UpdatePageFactory(
        parent=updates_index,
        body=[{"type": "document", "value": {"document": document.pk, "title": ""}}],
    )
    content = client.get(update.url).content.decode()
    assert f'href="{document.url}"' in content
    assert "Opinion No. 57/2022" in content
    assert "(PDF" in content


def test_embed_is_a_link_that_loads_nothing_from_the_other_site(client, updates_index):
    """Readers are told where the link goes; no iframe or third-party script is on the page."""
    update = UpdatePageFactory(
        parent=updates_index,
        body=[
            {
                "type": "embed",
                "value": {
                    "url": "https://video.example.org/watch?v=1",
                    "title": "Statement by his lawyers",
                    "description": "",
                },
            }
        ],
    )
    content = client.get(update.url).content.decode()
    assert 'href="https://video.example.org/watch?v=1"' in content
    assert "Opens on video.example.org" in content
    assert "<iframe" not in content
