"""The press page: its sections in each language, each only when it has content."""

import datetime as dt
import io

import pytest
from django.core.files.base import ContentFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from PIL import Image
from wagtail.models import Collection, Site

from vigil.cases.tests.factories import CaseIndexPageFactory, CasePageFactory
from vigil.core.models import CampaignSettings
from vigil.images.models import CampaignImage
from vigil.library.tests.factories import LibraryDocumentFactory, LibraryPageFactory
from vigil.news.tests.factories import UpdatePageFactory

LANGUAGES = [("en", ""), ("ru", "/ru"), ("kk", "/kk")]


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    """Uploaded files and renditions go to a throw-away folder."""
    settings.MEDIA_ROOT = tmp_path / "media"


def _image(title: str, *, collection=None, **fields) -> CampaignImage:
    buffer = io.BytesIO()
    Image.new("RGB", (600, 800), "grey").save(buffer, "JPEG")
    image = CampaignImage(
        title=title,
        collection=collection or Collection.get_first_root_node(),
        file=ContentFile(buffer.getvalue(), name=f"{title}.jpg"),
        **fields,
    )
    image.save()
    return image


@pytest.fixture
def press_site(home, updates_index):
    portrait = _image("Portrait", credit="Photo: family archive", licence="Free to use with credit")
    press = Collection.get_first_root_node().add_child(name="Press")
    _image("In court", collection=press, credit="Photo: A. Reporter", licence="CC BY 4.0")
    case = CasePageFactory(
        parent=CaseIndexPageFactory(parent=home),
        person_name="Karim Massimov",
        honorific="Dr.",
        photo=portrait,
        detained_on=dt.date(2022, 1, 5),
        status_line="Sentenced to 18 years after a closed trial",
    )
    home.featured_case = case
    home.save_revision().publish()
    statement = UpdatePageFactory(
        parent=updates_index,
        title="Statement on the verdict",
        summary="The campaign's answer to the verdict.",
        date=timezone.now() - dt.timedelta(days=3),
    )
    statement.tags.add("Statements")  # slug "statements", as in the demo
    statement.save_revision().publish()
    UpdatePageFactory(
        parent=updates_index, title="A newer update", date=timezone.now() - dt.timedelta(days=1)
    )
    LibraryPageFactory(parent=home)
    LibraryDocumentFactory(title="Opinion No. 57/2022", slug="wgad-57", key_document=True)
    LibraryDocumentFactory(title="A minor letter", kind="letter")
    return case


def _contact_set(**fields):
    campaign = CampaignSettings.for_site(Site.objects.get(is_default_site=True))
    for name, value in fields.items():
        setattr(campaign, name, value)
    campaign.save()


@pytest.mark.django_db
@pytest.mark.parametrize(("language", "prefix"), LANGUAGES)
def test_the_press_page_in_each_language(client, press_site, language, prefix):
    _contact_set(press_contact_name="Press team", press_contact_email="press@example.org")
    response = client.get(f"{prefix}/press/")
    assert response.status_code == 200
    html = response.content.decode()
    assert f'lang="{language}"' in html
    case_url = press_site.get_url()
    for section in ("press-case", "press-images", "press-statement", "press-contact"):
        assert f'id="{section}"' in html, section
    assert "Dr. Karim Massimov" in html
    assert f'href="{case_url}fact-sheet/"' in html
    assert f'href="{case_url}case.json"' in html
    assert 'class="day-count"' in html
    # The statement, though an untagged update is newer.
    assert "Statement on the verdict" in html and "A newer update" not in html
    assert 'href="mailto:press@example.org"' in html
    assert "Opinion No. 57/2022" in html and "A minor letter" not in html
    assert 'href="/library/wgad-57/"' in html
    assert f'href="{prefix}/partners/"' in html


@pytest.mark.django_db
def test_images_offer_a_rendition_with_credit_licence_and_size(client, press_site):
    html = client.get("/press/").content.decode()
    portrait, other = html.index("Photo: family archive"), html.index("Photo: A. Reporter")
    assert portrait < other  # the portrait first
    assert "Free to use with credit" in html and "CC BY 4.0" in html
    assert html.count(" download>") == 2
    assert 'href="/media/images/' in html  # a rendition, never the original
    assert "original_images" not in html.split('id="press-images"')[1].split("</section>")[0]
    assert "600 × 800 pixels" in html


@pytest.mark.django_db
def test_without_a_press_collection_only_the_portrait(client, press_site):
    CampaignImage.objects.filter(collection__name="Press").delete()
    html = client.get("/press/").content.decode()
    assert html.count(" download>") == 1


@pytest.mark.django_db
def test_no_contact_section_without_a_contact(client, press_site):
    html = client.get("/press/").content.decode()
    assert 'id="press-contact"' not in html
    assert "mailto:" not in html.split("<main")[-1].split("</main>")[0]


@pytest.mark.django_db
def test_an_empty_site_shows_no_sections(client, home):
    response = client.get("/press/")
    assert response.status_code == 200
    html = response.content.decode()
    for section in ("press-case", "press-images", "press-statement", "press-documents"):
        assert f'id="{section}"' not in html


@pytest.mark.django_db
def test_documents_in_a_private_collection_are_left_out(client, press_site):
    from wagtail.models import CollectionViewRestriction

    private = Collection.get_first_root_node().add_child(name="Private")
    CollectionViewRestriction.objects.create(
        collection=private, restriction_type=CollectionViewRestriction.LOGIN
    )
    LibraryDocumentFactory(title="Secret medical file", key_document=True, collection=private)
    html = client.get("/press/").content.decode()
    assert "Secret medical file" not in html


@pytest.mark.django_db
def test_the_footer_links_the_press_page(client, home):
    assert 'href="/ru/press/"' in client.get("/ru/press/").content.decode()


@pytest.mark.django_db
def test_query_count_is_pinned_and_reads_no_personal_data(client, press_site):
    _contact_set(press_contact_email="press@example.org")
    client.get("/press/")  # renditions are made on the first view
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/press/").status_code == 200
    sql = [query["sql"] for query in queries.captured_queries]
    assert len(sql) == 10, "\n".join(line[:160] for line in sql)
    # Nothing of the people who signed or subscribed is read, so none can be shown.
    assert not [line for line in sql if '"actions_' in line]
