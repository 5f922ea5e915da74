"""Share images on the demo campaign: every public page names one in its head, and its
address answers a 1200x630 PNG with the day count of the day it is for."""

import datetime as dt
import html
import io
import re
import shutil
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.utils import translation
from django.utils.formats import number_format
from PIL import Image, ImageDraw
from wagtail.models import Page, PageViewRestriction

from vigil.actions.models import PetitionPage
from vigil.cases.models import CasePage
from vigil.news.models import UpdatePage
from vigil.sharing import services

TRANSLATED_UPDATE = "convicted-and-sentenced-to-18-years"  # translated into ru and kk
PREFIXES = {"en": "", "ru": "/ru", "kk": "/kk"}


@pytest.fixture
def share_dir():
    """The share images' folder of the media storage, empty before and after the test."""
    folder = Path(settings.MEDIA_ROOT) / services.STORAGE_DIR
    shutil.rmtree(folder, ignore_errors=True)
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


def _meta(page_html: str) -> dict[str, str]:
    tags = re.findall(r'<meta (?:property|name)="([^"]+)" content="([^"]*)">', page_html)
    return {name: html.unescape(value) for name, value in tags}


def _case(language: str) -> CasePage:
    return CasePage.objects.get(slug="karim-massimov", locale__language_code=language)


def _page(model, slug: str, language: str):
    return model.objects.get(slug=slug, locale__language_code=language)


def _png(client, url: str):
    response = client.get(urlsplit(url).path)
    assert response.status_code == 200, url
    assert response["Content-Type"] == "image/png"
    return response, Image.open(io.BytesIO(response.content))


def _expected_pages(language: str) -> dict[str, tuple[str, int]]:
    """Each page type's address in `language` and the page whose image it names."""
    prefix = PREFIXES[language]
    home = Page.objects.get(depth=2, locale__language_code=language)
    update = _page(UpdatePage, TRANSLATED_UPDATE, language)
    case = _case(language)
    petition = _page(PetitionPage, "petition", language)
    return {
        "home": (prefix + "/", home.pk),
        "update": (prefix + f"/updates/{TRANSLATED_UPDATE}/", update.pk),
        "case": (prefix + "/cases/karim-massimov/", case.pk),
        "petition": (prefix + "/petition/", petition.pk),
        # The thank-you page after signing shares the petition.
        "thank-you": (prefix + "/petition/sign/sent/", petition.pk),
        # Pages that are not pages share the home page in their language.
        "search": (prefix + "/search/", home.pk),
        "subscribe": (prefix + "/act/subscribe/", home.pk),
    }


@pytest.mark.parametrize("language", list(PREFIXES))
def test_every_page_names_its_share_image_for_today(demo, client, language):
    """og:image and twitter:image (summary_large_image) name today's image of the page,
    1200x630, with the day count in the alternative text, on every page type."""
    case = _case(language)
    today = case.today()
    with translation.override(language):
        count = number_format(case.days_detained(), force_grouping=True)
    for name, (url, page_id) in _expected_pages(language).items():
        response = client.get(url)
        assert response.status_code == 200, url
        meta = _meta(response.content.decode())
        expected = f"http://testserver/share/{page_id}/{today.isoformat()}.png"
        assert meta["og:image"] == expected, name
        assert meta["twitter:image"] == expected, name
        assert meta["twitter:card"] == "summary_large_image", name
        assert (meta["og:image:width"], meta["og:image:height"]) == ("1200", "630"), name
        assert meta["og:image:type"] == "image/png", name
        assert count in meta["og:image:alt"], (name, meta["og:image:alt"])


def test_the_image_is_1200x630_with_the_day_count_of_today(demo, client, share_dir):
    """The image the home page names: a PNG of 1200x630 whose day count (a text chunk)
    is the case's today, described as the page's alternative text says, and kept long by
    caches (its address changes every day)."""
    meta = _meta(client.get("/").content.decode())
    response, image = _png(client, meta["og:image"])
    assert image.size == (1200, 630)
    assert image.format == "PNG"
    assert image.text[services.CHUNK_DAY_COUNT] == str(_case("en").days_detained())
    assert image.text[services.CHUNK_DESCRIPTION] == meta["og:image:alt"]
    assert meta["og:image:alt"].startswith("Dr. Karim Massimov: detained for ")
    assert "public" in response["Cache-Control"]
    assert "max-age=86400" in response["Cache-Control"]
    # Other sites' pages may show it (Cross-Origin-Resource-Policy).
    assert response["Cross-Origin-Resource-Policy"] == "cross-origin"


@pytest.mark.parametrize("language", ["ru", "kk"])
def test_russian_and_kazakh_images_count_in_their_language(demo, client, share_dir, language):
    """A translated update's image: its title in the page's language, every letter of it
    in the font (none drawn as the empty box of a missing glyph), the day count as today."""
    update = _page(UpdatePage, TRANSLATED_UPDATE, language)
    assert update.title != _page(UpdatePage, TRANSLATED_UPDATE, "en").title
    meta = _meta(client.get(f"/{language}/updates/{TRANSLATED_UPDATE}/").content.decode())
    _response, image = _png(client, meta["og:image"])
    assert image.size == (1200, 630)
    assert image.text[services.CHUNK_DAY_COUNT] == str(_case(language).days_detained())
    # Cyrillic goes into an iTXt chunk, which Pillow reads as text all the same.
    assert image.text[services.CHUNK_DESCRIPTION] == meta["og:image:alt"]
    _assert_drawable(update.title + meta["og:image:alt"])


KAZAKH_LETTERS = "әғқңөұүһі" + "ӘҒҚҢӨҰҮҺІ"


def _glyph(font, char: str) -> bytes:
    image = Image.new("L", (80, 80))
    ImageDraw.Draw(image).text((10, 0), char, font=font, fill=255)
    return image.tobytes()


def _assert_drawable(text: str) -> None:
    for bold in (False, True):
        font = services.share_font(bold=bold, size=44)
        missing = _glyph(font, "\ue000")  # a private-use character: the .notdef box
        for char in set(text) - {" ", "\xa0", "\u202f"}:
            assert font.getmask(char).getbbox() is not None, char
            assert _glyph(font, char) != missing, f"{char!r} is drawn as a missing glyph"


def test_the_font_has_every_kazakh_and_russian_letter():
    _assert_drawable(KAZAKH_LETTERS + "абвгдеёжзийклмнопрстуфхцчшщъыьэюя«»—№")


def test_a_stored_image_is_not_drawn_again(demo, client, share_dir, monkeypatch):
    """The first request draws and keeps the image in the media storage; the next one reads
    it. A page published again gets a new one, and its old file goes."""
    drawn = []
    render = services.share_image_render
    monkeypatch.setattr(
        services, "share_image_render", lambda *, card: drawn.append(card) or render(card=card)
    )
    url = _meta(client.get("/cases/karim-massimov/").content.decode())["og:image"]
    first, _image = _png(client, url)
    second, _image = _png(client, url)
    assert len(drawn) == 1
    assert first.content == second.content
    case = _case("en")
    files = list((share_dir / str(case.pk)).iterdir())
    assert [f.name.split("-", 3)[:3] for f in files] == [case.today().isoformat().split("-")]
    case.save_revision().publish()
    _png(client, url)
    assert len(drawn) == 2
    assert len(list((share_dir / str(case.pk)).iterdir())) == 1


def test_only_public_pages_today_have_an_image(demo, client, share_dir):
    """404: no such page, an unpublished or private page, a day to come, a date that is no
    date. An earlier day's address (a page cached before midnight) leads to today's."""
    case = _case("en")
    today = case.today()
    update = _page(UpdatePage, TRANSLATED_UPDATE, "en")
    assert client.get(f"/share/{update.pk}/{today}.png").status_code == 200
    assert client.get(f"/share/999999/{today}.png").status_code == 404
    tomorrow = today + dt.timedelta(days=1)
    assert client.get(f"/share/{update.pk}/{tomorrow}.png").status_code == 404
    assert client.get(f"/share/{update.pk}/2024-02-30.png").status_code == 404
    assert client.get(f"/share/{update.pk}/today.png").status_code == 404
    earlier = client.get(f"/share/{update.pk}/{today - dt.timedelta(days=3)}.png")
    assert earlier.status_code == 302
    assert earlier["Location"] == f"/share/{update.pk}/{today}.png"
    PageViewRestriction.objects.create(page=update, restriction_type="password", password="x")
    assert client.get(f"/share/{update.pk}/{today}.png").status_code == 404
    other = _page(PetitionPage, "petition", "en")
    other.unpublish()
    assert client.get(f"/share/{other.pk}/{today}.png").status_code == 404
    # Nothing was drawn for the refusals: one file, the update's before it was restricted.
    assert [p.parent.name for p in share_dir.rglob("*.png")] == [str(update.pk)]


def test_the_purge_deletes_past_days(share_dir):
    """Images of days before yesterday go; yesterday's and today's stay (a case's day turns
    at its own midnight), and so does nothing else."""
    today = dt.date(2026, 5, 10)
    names = {
        "7/2026-05-10-3-4.png": True,
        "7/2026-05-09-3-4.png": True,
        "8/2026-05-08-1-0.png": False,
        "9/2025-12-31-1-0.png": False,
        "9/stray.png": False,
    }
    for name in names:
        path = share_dir / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"png")
    assert services.share_images_purge(today=today) == 3
    assert {name for name in names if (share_dir / name).exists()} == {
        name for name, kept in names.items() if kept
    }


def test_the_purge_is_scheduled():
    from vigil.core.registry import schedules

    scheduled = {s.name: s for s in schedules()}["share images purge"]
    assert scheduled.task is services.share_images_purge_task
    assert scheduled.every == 3600


def _card(**changes) -> services.ShareCard:
    values = {
        "page_id": 1,
        "day": dt.date(2026, 12, 8),
        "title": "Convicted and sentenced to 18 years after a closed trial",
        "site_name": "Free Karim",
        "case_name": "Dr. Karim Massimov",
        "days": 1798,
        "released_on": None,
        "photo": None,
        "alt": "Dr. Karim Massimov: detained for 1,798 days",
        "revisions": "1-2",
    }
    return services.ShareCard(**{**values, **changes})


def test_a_released_person_is_not_counted():
    """After release the image says so, not a count that goes on."""
    with translation.override("en"):
        png = services.share_image_render(
            card=_card(released_on=dt.date(2026, 3, 1), alt="Released")
        )
    image = Image.open(io.BytesIO(png))
    assert image.size == (1200, 630)
    assert image.text[services.CHUNK_DESCRIPTION] == "Released"


def test_drawing_is_cheap():
    """Drawn on a reader's request, so in tens of milliseconds (the demo's: about 20)."""
    import time

    with translation.override("ru"):
        started = time.perf_counter()
        services.share_image_render(card=_card(title="Осуждён и приговорён к 18 годам"))
        assert time.perf_counter() - started < 0.5  # generous: a shared, busy test machine


def test_long_titles_keep_to_three_lines():
    font = services.share_font(bold=True, size=44)
    lines = services.text_wrap("слово " * 60, font=font, width=680, lines=3)
    assert len(lines) == 3
    assert lines[-1].endswith("…")
    assert all(font.getlength(line) <= 680 for line in lines)
    # A word wider than the line is broken rather than overflowing.
    assert all(
        font.getlength(line) <= 680
        for line in services.text_wrap("Ж" * 80, font=font, width=680, lines=3)
    )
