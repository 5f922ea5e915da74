"""The admin's searches (pages, choosers, documents, images, snippets) answer on every
database: they use the backend's autocomplete, which Vigil's one-pass ranking on SQLite
must leave to Wagtail."""

import pytest
from django.core.files.base import ContentFile

from vigil.images.models import CampaignImage
from vigil.library.tests.factories import LibraryDocumentFactory, png_bytes
from vigil.news.tests.factories import SeriesFactory, UpdatePageFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def findable(updates_index):
    UpdatePageFactory(parent=updates_index, title="Collapse in court")
    UpdatePageFactory(parent=updates_index, title="Doctors warn")
    LibraryDocumentFactory(title="Opinion on the detention")
    CampaignImage.objects.create(
        title="Courtroom sketch", file=ContentFile(png_bytes(), name="sketch.png")
    )
    SeriesFactory(title="Closed justice")


@pytest.mark.parametrize(
    ("path", "found", "not_found"),
    [
        ("/admin/pages/search/?q=colla", "Collapse in court", "Doctors warn"),
        ("/admin/pages/search/?q=collapse+court", "Collapse in court", "Doctors warn"),
        ("/admin/choose-page/search/?q=colla", "Collapse in court", "Doctors warn"),
        ("/admin/documents/?q=opin", "Opinion on the detention", "Courtroom"),
        ("/admin/images/?q=courtr", "Courtroom sketch", "Opinion"),
        ("/admin/snippets/news/series/?q=justi", "Closed justice", "Collapse"),
    ],
)
def test_admin_search_finds_by_the_start_of_a_word(admin_client, findable, path, found, not_found):
    response = admin_client.get(path)
    assert response.status_code == 200
    html = response.content.decode()
    assert found in html
    assert not_found not in html
