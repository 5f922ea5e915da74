"""The fixtures a real WordPress exported, and helpers to import them and count what came in."""

from functools import cache
from io import StringIO
from pathlib import Path

from django.core.management import call_command
from taggit.models import Tag
from wagtail.contrib.redirects.models import Redirect
from wagtail.models import Page, Revision

from vigil.images.models import CampaignImage
from vigil.library.models import LibraryDocument
from vigil.wordpress.models import WordPressItem
from vigil.wordpress.services import content_convert, wxr_parse
from vigil.wordpress.services.content import Attachment, AttachmentIndex

FIXTURES = Path(__file__).resolve().parent / "fixtures"
EXPORT = FIXTURES / "wxr-1.2.xml"
# Written for the body-conversion tests: reference sections, embeds, over-long text.
BODIES = FIXTURES / "campaign-bodies.xml"
UPLOADS = FIXTURES / "uploads"
# An image the export has (its file uploaded with it, unless a test says not).
PHOTO = Attachment(
    wp_id=4,
    kind="image",
    url="http://old.example.org/wp-content/uploads/2022/03/photo.png",
    relative_path="2022/03/photo.png",
    title="Photo",
    alt="",
    parent_id=0,
)


@cache
def bodies_posts() -> dict:
    """The posts of BODIES by WordPress ID."""
    return {item.wp_id: item for item in wxr_parse(path=BODIES).items}


def body_converted(wp_id: int):
    """What the converter makes of that BODIES post's text (no attachments)."""
    return content_convert(
        content=bodies_posts()[wp_id].content,
        attachments=AttachmentIndex(attachments=[]),
        post_id=wp_id,
    )


def run_import(*args, **options) -> str:
    out = StringIO()
    call_command("import_wordpress", *[str(a) for a in args], stdout=out, **options)
    return out.getvalue()


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
