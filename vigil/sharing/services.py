"""Share images: the picture a page shows where it is shared (og:image, twitter:image).

Each public page has one a day, 1200x630 PNG, drawn here in the page's language: the
featured case's portrait (a case page's own), its day count as of that day, the page's
title and the site's name. The page names it by an address that carries the day
(`/share/<page id>/<YYYY-MM-DD>.png`): a page rendered on day N points at day N's
image, so the platforms that cache images by address fetch a new one each day. It is
drawn on its first request and kept in the media storage (`default_storage`: S3 in
production), one file per page; the periodic purge deletes the days gone by.
"""

import datetime as dt
import io
import logging
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format, number_format
from django.utils.translation import get_language, gettext, ngettext
from django_tasks import task
from PIL import Image, ImageDraw, ImageFont, ImageOps, PngImagePlugin
from wagtail.models import Page, Site

from vigil.cases.models import CasePage
from vigil.cases.services import case_featured
from vigil.core.dependencies import day_turns_in
from vigil.core.models import CampaignSettings
from vigil.core.services import pages_public, site_name_and_tagline, site_root_localised
from vigil.core.templatetags.vigil_tags import site_chrome

logger = logging.getLogger(__name__)

WIDTH, HEIGHT = 1200, 630
CONTENT_TYPE = "image/png"
FONTS = Path(__file__).resolve().parent / "fonts"
# Where the images are kept in the media storage: `share/<page id>/<day>-<revisions>.png`.
STORAGE_DIR = "share"
# The chunks tests and tools read: what the image says, and the count it shows.
CHUNK_DESCRIPTION = "Description"
CHUNK_DAY_COUNT = "Vigil-Day-Count"

BACKGROUND = (29, 42, 54)  # the home banner's colour (vigil.css --banner)
INK = (255, 255, 255)
MUTED = (217, 222, 227)
ACCENT = (242, 183, 5)  # --focus: the day count stands out
PORTRAIT_WIDTH = 420
MARGIN = 56
TITLE_LINES = 3


@dataclass(frozen=True)
class ShareCard:
    """What one page's share image shows on one day."""

    page_id: int
    day: dt.date
    title: str
    site_name: str
    case_name: str
    days: int | None  # None: no case to count
    released_on: dt.date | None
    photo: object | None  # a CampaignImage
    alt: str
    revisions: str  # the page's and the case's published revisions: a new one draws anew


# -- what a page shares ----------------------------------------------------------------


def share_case(*, page, request, context=None):
    """The case a page's image counts: a case page's own, else the home page's featured
    case in the reader's language (the home page has it loaded as its banner's)."""
    if isinstance(page, CasePage):
        return page
    if context is not None and context.get("banner_case") is not None:
        return context["banner_case"]
    return case_featured(request=request, language=get_language() or settings.LANGUAGE_CODE)


def share_day(*, case) -> dt.date:
    """The day the image is for: today where the person is held (a cached page that names
    it expires at that midnight), or in the site's time zone without a case."""
    if case is not None:
        return case.today()
    day_turns_in(settings.TIME_ZONE)
    return timezone.localdate()


def share_alt(*, case, title: str) -> str:
    """The image's text alternative: whose case, and its day count or release."""
    if case is None:
        return title
    if case.released_on:
        return gettext("%(name)s: released on %(date)s") % {
            "name": case.display_name,
            "date": date_format(case.released_on, "DATE_FORMAT"),
        }
    days = case.days_detained()
    return ngettext(
        "%(name)s: detained for %(days)s day", "%(name)s: detained for %(days)s days", days
    ) % {"name": case.display_name, "days": number_format(days, force_grouping=True)}


def share_image_url(*, request, page_id: int, day: dt.date) -> str:
    path = reverse("share_image", kwargs={"page_id": page_id, "day": day.isoformat()})
    return request.build_absolute_uri(path) if request is not None else path


def share_meta_describe(context) -> dict | None:
    """The head's share tags for the page `context` renders (core's share_image hook).

    The page shared: the view's `share_page`, else the page, else the home page in the
    reader's language (search, forms, /mirrors/, 404). A preview of a page not yet
    published shares nothing: its image would not be there.
    """
    request = context.get("request")
    page = context.get("share_page") or context.get("page")
    if not isinstance(page, Page) or not page.pk:
        page = _chrome_home(context)
    if page is None or not page.live or getattr(request, "is_preview", False):
        return None
    case = share_case(page=page, request=request, context=context)
    day = share_day(case=case)
    return {
        "url": share_image_url(request=request, page_id=page.pk, day=day),
        "alt": share_alt(case=case, title=page.title),
        "width": WIDTH,
        "height": HEIGHT,
        "type": CONTENT_TYPE,
    }


def _chrome_home(context):
    """The home page in the reader's language, as the site's chrome found it (the header
    has run its one query already)."""
    return site_chrome(context).get("home")


# -- the image of one page on one day ---------------------------------------------------


def share_page_find(*, page_id: int):
    """The live, public page with this id, or None."""
    return pages_public(Page.objects.live().filter(pk=page_id)).specific().first()


def share_card_build(*, page, request) -> ShareCard:
    """What `page`'s image shows today, in the active language (the page's)."""
    case = share_case(page=page, request=request)
    days = case.days_detained() if case is not None else None
    return ShareCard(
        page_id=page.pk,
        day=share_day(case=case),
        title=page.title,
        site_name=_site_name(request=request),
        case_name=case.display_name if case is not None else "",
        days=days,
        released_on=case.released_on if case is not None else None,
        photo=case.photo if case is not None else None,
        alt=share_alt(case=case, title=page.title),
        revisions=f"{page.live_revision_id or 0}-{getattr(case, 'live_revision_id', 0) or 0}",
    )


def _site_name(*, request) -> str:
    """The site's name as the header shows it."""
    site = Site.find_for_request(request)
    if site is None:
        return ""
    name, _tagline = site_name_and_tagline(
        campaign=CampaignSettings.for_site(site),
        home=site_root_localised(site=site, request=request),
        root_id=site.root_page_id,
        language=get_language() or settings.LANGUAGE_CODE,
    )
    return name


def share_image_key(*, card: ShareCard) -> str:
    return f"{STORAGE_DIR}/{card.page_id}/{card.day.isoformat()}-{card.revisions}.png"


def share_image_get(*, card: ShareCard) -> bytes:
    """The PNG of `card`: from the media storage, else drawn and kept there.

    One file per page: keeping a new one deletes the page's others (an earlier day's, or
    today's before the page or its case was published again).
    """
    key = share_image_key(card=card)
    try:
        with default_storage.open(key, "rb") as stored:
            return stored.read()
    except (FileNotFoundError, OSError):
        pass
    png = share_image_render(card=card)
    saved = default_storage.save(key, ContentFile(png))
    if saved != key:  # drawn twice at once: the other request's copy is kept
        default_storage.delete(saved)
    _page_files_prune(page_id=card.page_id, keep=key)
    return png


def _page_files_prune(*, page_id: int, keep: str) -> None:
    folder = f"{STORAGE_DIR}/{page_id}"
    try:
        _dirs, files = default_storage.listdir(folder)
    except (FileNotFoundError, OSError):
        return
    for name in files:
        if f"{folder}/{name}" != keep:
            default_storage.delete(f"{folder}/{name}")


# -- drawing -------------------------------------------------------------------------------


@cache
def share_font(*, bold: bool, size: int) -> ImageFont.FreeTypeFont:
    """Noto Sans (fonts/README.md) at `size` pixels: Latin and Cyrillic, Kazakh included."""
    name = "NotoSans-Bold.ttf" if bold else "NotoSans-Regular.ttf"
    return ImageFont.truetype(str(FONTS / name), size)


def share_image_render(*, card: ShareCard) -> bytes:
    """The 1200x630 PNG of `card`, with its text alternative and day count as text chunks."""
    image = Image.new("RGB", (WIDTH, HEIGHT), BACKGROUND)
    left = MARGIN
    portrait = _portrait(card.photo)
    if portrait is not None:
        image.paste(portrait, (0, 0))
        left = PORTRAIT_WIDTH + MARGIN
    draw = ImageDraw.Draw(image)
    width = WIDTH - left - MARGIN
    _text_draw(draw, card=card, left=left, width=width)
    info = PngImagePlugin.PngInfo()
    # Latin-1 text goes in a tEXt chunk; Pillow writes other text (Cyrillic) as iTXt.
    info.add_text(CHUNK_DESCRIPTION, card.alt)
    info.add_text(CHUNK_DAY_COUNT, "" if card.days is None else str(card.days))
    out = io.BytesIO()
    # Level 3: a third of the time of the default level for a few per cent more bytes.
    image.save(out, format="PNG", pnginfo=info, compress_level=3)
    return out.getvalue()


def _portrait(photo) -> Image.Image | None:
    """The photo cropped to the image's left column, or None (none, or unreadable)."""
    if photo is None:
        return None
    try:
        with photo.open_file() as handle, Image.open(handle) as original:
            # A JPEG is decoded at the smallest scale still larger than the column:
            # a phone's 12 MP picture in a few milliseconds instead of a hundred.
            original.draft("RGB", (PORTRAIT_WIDTH * 2, HEIGHT * 2))
            # Stored pictures have their orientation applied already (vigil.images).
            picture = original.convert("RGB")
    except (OSError, ValueError, Image.DecompressionBombError):
        logger.warning("The share image's portrait (image %s) could not be read.", photo.pk)
        return None
    return ImageOps.fit(
        picture, (PORTRAIT_WIDTH, HEIGHT), method=Image.Resampling.LANCZOS, centering=(0.5, 0.3)
    )


def _text_draw(draw: ImageDraw.ImageDraw, *, card: ShareCard, left: int, width: int) -> None:
    """The site's name at the top, the person and the day count, the title at the foot."""
    top = MARGIN
    draw.text((left, top), card.site_name, font=share_font(bold=False, size=30), fill=MUTED)
    top += 58
    if card.case_name:
        draw.text((left, top), card.case_name, font=share_font(bold=True, size=36), fill=INK)
        top += 56
    if card.released_on is not None:
        released = gettext("Released on %(date)s") % {
            "date": date_format(card.released_on, "DATE_FORMAT")
        }
        draw.text((left, top), released, font=share_font(bold=True, size=64), fill=ACCENT)
        top += 100
    elif card.days is not None:
        top = _day_count_draw(draw, days=card.days, left=left, top=top)
    size = 44 if card.days is not None else 60
    font = share_font(bold=True, size=size)
    lines = text_wrap(card.title, font=font, width=width, lines=TITLE_LINES)
    line_height = int(size * 1.25)
    bottom = HEIGHT - MARGIN - line_height * len(lines)
    for number, line in enumerate(lines):
        draw.text((left, max(top, bottom) + number * line_height), line, font=font, fill=INK)


def _day_count_draw(draw: ImageDraw.ImageDraw, *, days: int, left: int, top: int) -> int:
    """The day count, its number the largest text of the image, in the words of the
    language ("1,798 days detained", "1 798 дней под стражей"); returns the next line's top.

    The translated sentence is split around its number, so a language may put words
    before it too.
    """
    sentence = ngettext("%(days)s day detained", "%(days)s days detained", days)
    before, _marker, after = sentence.partition("%(days)s")
    words = share_font(bold=True, size=40)
    if before.strip():
        draw.text((left, top), before.strip(), font=words, fill=MUTED)
        top += 52
    number = number_format(days, force_grouping=True)
    draw.text((left, top - 20), number, font=share_font(bold=True, size=150), fill=ACCENT)
    top += 170
    if after.strip():
        draw.text((left, top), after.strip(), font=words, fill=MUTED)
        top += 60
    return top + 20


def text_wrap(text: str, *, font, width: int, lines: int) -> list[str]:
    """`text` in at most `lines` lines no wider than `width` pixels, broken between words
    (inside a word only when it alone is too wide); an ellipsis ends what is cut."""
    words = text.split()
    wrapped: list[str] = []
    current = ""
    for word in words:
        candidate = f"{current} {word}".strip()
        if font.getlength(candidate) <= width:
            current = candidate
            continue
        if current:
            wrapped.append(current)
        current = word
        while font.getlength(current) > width and len(current) > 1:
            cut = len(current) - 1
            while cut > 1 and font.getlength(current[:cut]) > width:
                cut -= 1
            wrapped.append(current[:cut])
            current = current[cut:]
    if current:
        wrapped.append(current)
    if len(wrapped) <= lines:
        return wrapped
    kept = wrapped[:lines]
    last = kept[-1]
    while last and font.getlength(last + "…") > width:
        last = last[:-1].rstrip()
    kept[-1] = last + "…"
    return kept


# -- the purge ---------------------------------------------------------------------------

_FILE_DAY = re.compile(r"^(\d{4}-\d{2}-\d{2})-")


def share_images_purge(*, today: dt.date | None = None) -> int:
    """Delete the images of days before yesterday (UTC): no page names them any more.
    Yesterday's stay, for a case whose day has not turned yet. Returns how many went."""
    horizon = (today or timezone.now().date()) - dt.timedelta(days=1)
    removed = 0
    try:
        folders, _files = default_storage.listdir(STORAGE_DIR)
    except (FileNotFoundError, OSError):
        return 0
    for folder in folders:
        _dirs, files = default_storage.listdir(f"{STORAGE_DIR}/{folder}")
        for name in files:
            if _file_day(name) < horizon:
                default_storage.delete(f"{STORAGE_DIR}/{folder}/{name}")
                removed += 1
    return removed


def _file_day(name: str) -> dt.date:
    """The day a stored image is for (a name not ours counts as long gone)."""
    match = _FILE_DAY.match(name)
    try:
        return dt.date.fromisoformat(match.group(1)) if match else dt.date.min
    except ValueError:
        return dt.date.min


@task()
def share_images_purge_task() -> int:
    return share_images_purge()
