"""One send reaches every language's subscribers, each email whole and in their language:
references, JPEG images, `<html lang>`, links to their language's pages, a real From."""

import io
import re
from collections import Counter

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image as PILImage
from wagtail.images import get_image_model
from wagtail.models import Locale
from wagtail_localize.synctree import synchronize_tree

from vigil.actions import services
from vigil.actions.models import Mailing
from vigil.actions.tests.factories import SubscriberFactory
from vigil.news.tests.factories import UpdatePageFactory, references_add
from vigil.testing.mail import link_path, message_html, message_text

pytestmark = pytest.mark.django_db

SITE = "http://testserver"
HTML_LANG = re.compile(r'<html lang="([^"]+)"')
SITE_LINK = re.compile(r'(?:href|src)="http://testserver(/[^"]*)"')


@pytest.fixture
def image(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    buffer = io.BytesIO()
    PILImage.new("RGBA", (900, 600), (120, 30, 30, 255)).save(buffer, "PNG")
    return get_image_model().objects.create(
        title="Court building", file=SimpleUploadedFile("court.png", buffer.getvalue())
    )


@pytest.fixture
def update(home, updates_index, image):
    """An English update citing two references, with an image and a link to the list of
    updates; translated into Russian, and shown untranslated (an alias) in Kazakh."""
    english = UpdatePageFactory(
        parent=updates_index,
        title="Court hearing postponed",
        slug="hearing",
        body=[
            {
                "type": "paragraph",
                "value": (
                    "<p>The UN found the detention arbitrary [1]; the court agreed [2]. "
                    f'See <a linktype="page" id="{updates_index.pk}">every update</a>.</p>'
                ),
            },
            {"type": "image", "value": {"image": image.pk, "alt_text": "The court", "caption": ""}},
        ],
    )
    references_add(
        english,
        {"title": "Opinion No. 57/2022", "publisher": "UN WGAD", "url": "https://un.example/57"},
        {"title": "Ruling of the city court", "url": "https://court.example/r"},
    )
    russian = Locale.objects.get(language_code="ru")
    home.copy_for_translation(russian).save_revision().publish()
    updates_index.copy_for_translation(russian).save_revision().publish()
    translated = english.copy_for_translation(russian)
    translated.title = "Слушание отложено"
    translated.save_revision().publish()
    synchronize_tree(english.locale, Locale.objects.get(language_code="kk"))
    return english


def sent_to(smtp, address):
    [message] = smtp.to(address)
    return message


def site_paths(html: str) -> list[str]:
    return SITE_LINK.findall(html)


def test_one_send_reaches_every_language_in_its_version(update, smtp, admin_user):
    """English, Russian and Kazakh subscribers each get one email: the Russian one the
    translation, the Kazakh one the original, saying in Kazakh that it is untranslated."""
    SubscriberFactory(email="en@example.org", language="en")
    SubscriberFactory(email="ru@example.org", language="ru")
    SubscriberFactory(email="kk@example.org", language="kk")
    mailings = services.mailings_queue(page=update, user=admin_user)
    assert sorted(m.language for m in mailings) == ["en", "kk", "ru"]
    services.mailings_process()
    assert Counter(a for m in smtp.messages for a in m.envelope_to) == Counter(
        {"en@example.org": 1, "ru@example.org": 1, "kk@example.org": 1}
    )
    assert sent_to(smtp, "ru@example.org")["Subject"] == "Слушание отложено"
    kazakh = sent_to(smtp, "kk@example.org")
    assert kazakh["Subject"] == "Court hearing postponed"
    html = message_html(kazakh)
    assert "ағылшын тілінде" in html, "the Kazakh email says, in Kazakh, it is in English"
    assert '<div lang="en">' in html, "the English text is marked as English"
    assert "ағылшын тілінде" in message_text(kazakh)
    assert "not been translated" not in message_html(sent_to(smtp, "ru@example.org"))
    with pytest.raises(services.MailingRefused, match="every language"):
        services.mailings_queue(page=update.get_translations().first(), user=admin_user)
    assert Mailing.objects.count() == 3


@pytest.mark.parametrize("language", ["en", "ru", "kk"])
def test_update_email_is_whole_and_in_the_subscribers_language(
    update, smtp, admin_user, client, settings, language
):
    """References with their links, JPEG images at absolute addresses, the right
    `<html lang>`, every link of the site in the subscriber's language, a real From."""
    SubscriberFactory(email="reader@example.org", language=language)
    services.mailings_queue(page=update, user=admin_user)
    services.mailings_process()
    message = sent_to(smtp, "reader@example.org")
    html = message_html(message)
    assert HTML_LANG.search(html).group(1) == language
    assert message["From"] == settings.DEFAULT_FROM_EMAIL

    for title, url in [
        ("Opinion No. 57/2022", "https://un.example/57"),
        ("Ruling of the city court", "https://court.example/r"),
    ]:
        assert f'<a href="{url}">{title}</a>' in html, "each reference, linked"
        assert url in message_text(message)
    assert "[1] Opinion No. 57/2022, UN WGAD. https://un.example/57" in message_text(message)
    prefix = "" if language == "en" else f"/{language}"
    assert f'href="{SITE}{prefix}/updates/hearing/#ref-2"' in html, "[2] links to its source"

    images = re.findall(r'<img [^>]*src="([^"]+)"', html)
    assert images, "the image is in the email"
    assert not re.search(r"webp|avif", html, re.IGNORECASE)
    for src in images:
        assert src.startswith(f"{SITE}/media/") and src.endswith(".jpg"), src
        # The file the address names, read from the media storage (serving /media/ is
        # the web server's job, and the test settings' URL patterns depend on the run).
        name = link_path(src).removeprefix(settings.MEDIA_URL)
        with default_storage.open(name) as stored:
            assert stored.read(3) == b"\xff\xd8\xff", "a real JPEG"

    pages = [path for path in site_paths(html) if not path.startswith(("/media/", "/documents/"))]
    assert f"{prefix}/updates/" in pages, "the link in the text goes to their language's list"
    assert f"{prefix}/updates/hearing/" in pages, "'read it on the website'"
    for path in pages:
        assert path.startswith(f"{prefix}/") and (
            language != "en" or not path.startswith(("/ru/", "/kk/"))
        ), path
    unsubscribe = message["List-Unsubscribe"].strip()
    assert unsubscribe.startswith(f"<{SITE}{prefix}/act/unsubscribe/"), unsubscribe
