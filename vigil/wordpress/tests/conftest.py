"""An empty campaign site to import into, and the fixtures a real WordPress exported."""

from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from taggit.models import Tag
from wagtail.contrib.redirects.models import Redirect
from wagtail.models import Page, Revision

from vigil.images.models import CampaignImage
from vigil.library.models import LibraryDocument
from vigil.wordpress.models import WordPressItem

FIXTURES = Path(__file__).resolve().parent / "fixtures"
EXPORT = FIXTURES / "wxr-1.2.xml"
# Written for the body-conversion tests: reference sections, embeds, over-long text.
BODIES = FIXTURES / "campaign-bodies.xml"
UPLOADS = FIXTURES / "uploads"


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    """Imported files go to a throw-away folder, never the developer's media."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def run_import(*args, **options) -> str:
    out = StringIO()
    call_command("import_wordpress", *[str(a) for a in args], stdout=out, **options)
    return out.getvalue()


@pytest.fixture
def imported(home, updates_index):
    """The real export imported once, with its uploads."""
    output = run_import(EXPORT, uploads=str(UPLOADS))
    return {"home": home, "index": updates_index, "output": output}


def database_counts() -> dict[str, int]:
    """Rows an import could write, to show that a refused one wrote none."""
    return {
        "pages": Page.objects.count(),
        "revisions": Revision.objects.count(),
        "items": WordPressItem.objects.count(),
        "redirects": Redirect.objects.count(),
        "images": CampaignImage.objects.count(),
        "documents": LibraryDocument.objects.count(),
        "tags": Tag.objects.count(),
    }


def media_files(root: Path) -> list[Path]:
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []
