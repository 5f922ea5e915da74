"""What wagtail-localize gives translators of an update, and what a translation shows:
reference titles and publishers and the image's credit are among the texts, so the
Russian update has its own."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image as PILImage
from wagtail.images import get_image_model
from wagtail.models import Locale
from wagtail_localize.models import StringSegment, StringTranslation, TranslationSource

from vigil.news.tests.factories import UpdatePageFactory, references_add

pytestmark = pytest.mark.django_db

RUSSIAN = {
    "Court hearing postponed": "Заседание суда отложено",
    "court-hearing-postponed": "zasedanie-otlozheno",
    "Campaign team": "Команда кампании",
    "Summary of Court hearing postponed.": "Заседание перенесли.",
    "The court did not sit [1].": "Суд не заседал [1].",
    "The empty courtroom": "Пустой зал суда",
    "The courtroom on the day": "Зал суда в тот день",
    "Photo: campaign archive": "Фото: архив кампании",
    "Notice of postponement": "Уведомление о переносе",
    "Astana City Court": "Городской суд Астаны",
}


@pytest.fixture
def update(updates_index, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    buffer = io.BytesIO()
    PILImage.new("RGB", (64, 48), (120, 30, 30)).save(buffer, "PNG")
    image = get_image_model().objects.create(
        title="Courtroom",
        credit="Photo: campaign archive",
        file=SimpleUploadedFile("court.png", buffer.getvalue()),
    )
    update = UpdatePageFactory(
        parent=updates_index,
        title="Court hearing postponed",
        slug="court-hearing-postponed",
        body=[
            {"type": "paragraph", "value": "<p>The court did not sit [1].</p>"},
            {
                "type": "image",
                "value": {
                    "image": image.pk,
                    "alt_text": "The empty courtroom",
                    "caption": "The courtroom on the day",
                },
            },
        ],
    )
    references_add(
        update,
        {
            "title": "Notice of postponement",
            "publisher": "Astana City Court",
            "url": "https://example.org/notice",
        },
    )
    return update


def test_translators_get_reference_titles_publishers_and_the_image_credit(update):
    source, _created = TranslationSource.get_or_create_from_instance(update)
    texts = set(StringSegment.objects.filter(source=source).values_list("string__data", flat=True))
    for text in (
        "Notice of postponement",
        "Astana City Court",
        "Photo: campaign archive",
        "The courtroom on the day",
    ):
        assert text in texts, text


def test_russian_translation_shows_its_own_references_and_credit(
    client, update, django_capture_on_commit_callbacks
):
    russian = Locale.objects.get_or_create(language_code="ru")[0]
    update.get_parent().copy_for_translation(russian, copy_parents=True).save_revision().publish()
    source, _created = TranslationSource.get_or_create_from_instance(update)
    for segment in StringSegment.objects.filter(source=source).select_related("string"):
        StringTranslation.objects.create(
            translation_of=segment.string,
            locale=russian,
            context=segment.context,
            data=RUSSIAN[segment.string.data],
            translation_type="manual",
        )
    with django_capture_on_commit_callbacks(execute=True):
        translation, _created = source.create_or_update_translation(russian)

    html = client.get("/ru/updates/zasedanie-otlozheno/").content.decode()
    for english, text in RUSSIAN.items():
        if english.islower():  # the address
            continue
        assert text.replace("[1]", "").strip(" .") in html, text
    for english in ("Notice of postponement", "Astana City Court", "Photo: campaign archive"):
        assert english not in html, english
    original = client.get("/updates/court-hearing-postponed/").content.decode()
    assert "Notice of postponement" in original and "Photo: campaign archive" in original
    # Each reference of the translation is linked to the original's.
    assert [r.translation_key for r in translation.references.all()] == [
        r.translation_key for r in update.references.all()
    ]
