"""The demo in English, Russian and Kazakh: every page type, the switcher, hreflang,
notices for untranslated and outdated pages, dates, plurals, feeds, sitemaps, search
and the editors' report."""

import re
from html import unescape
from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.db import connection
from django.utils import translation
from django.utils.translation import ngettext

from vigil.cases.models import CasePage
from vigil.news.models import UpdatePage

TRANSLATED_UPDATE = "convicted-and-sentenced-to-18-years"
UNTRANSLATED_UPDATE = "ngos-call-for-immediate-release"
PAGE_TYPES = [
    "/",
    "/updates/",
    "/updates/page/2/",
    f"/updates/{TRANSLATED_UPDATE}/",
    f"/updates/{UNTRANSLATED_UPDATE}/",
    "/updates/tag/court/",
    "/updates/year/2022/",
    "/cases/",
    "/cases/karim-massimov/",
    "/cases/karim-massimov/fact-sheet/",
    "/case-background/",
    "/petition/",
    "/support/",
    "/library/",
    "/search/?q=court",
    "/act/subscribe/",
]
LANGUAGES = ["en", "ru", "kk"]


def prefixed(language: str, path: str) -> str:
    return path if language == "en" else f"/{language}{path}"


def html_of(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    return response.content.decode()


def visible_text(html: str) -> str:
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    # Text marked as English (untranslated copies, tag names) is content, not interface.
    html = re.sub(r'<(main|article|a)\b[^>]*\blang="en"[^>]*>.*?</\1>', " ", html, flags=re.S)
    return unescape(re.sub(r"<[^>]+>", " ", html))


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_page_type_in_each_language(demo, client, language):
    """Each page type answers in each language, marked with that language."""
    for path in PAGE_TYPES:
        html = html_of(client, prefixed(language, path))
        assert f'<html lang="{language}"' in html, path
    for feed in ("/updates/feed/rss/", "/updates/feed/atom/", "/sitemap.xml"):
        assert client.get(prefixed(language, feed)).status_code == 200


@pytest.mark.parametrize("language", ["ru", "kk"])
def test_switcher_and_hreflang_targets_exist(demo, client, language):
    """Every switcher link and every hreflang alternate leads to a page that exists."""
    for path in ("/", f"/updates/{TRANSLATED_UPDATE}/", f"/updates/{UNTRANSLATED_UPDATE}/"):
        html = html_of(client, prefixed(language, path))
        switcher = re.search(r'<nav class="language-switcher".*?</nav>', html, re.S).group(0)
        links = dict(re.findall(r'href="([^"]+)" hreflang="([a-z]+)"', switcher))
        assert sorted(links.values()) == sorted(LANGUAGES)
        for url in links:
            assert client.get(url).status_code == 200, url
        alternates = re.findall(r'<link rel="alternate" hreflang="([a-z-]+)" href="([^"]+)"', html)
        for _code, url in alternates:
            assert client.get(url.replace("http://testserver", "")).status_code == 200
        codes = {code for code, _url in alternates}
        if path == f"/updates/{UNTRANSLATED_UPDATE}/":
            assert codes == {"en", "x-default"}, "an English copy is no translation"
        else:
            assert codes == {"en", "ru", "kk", "x-default"}


def test_untranslated_page_says_so_in_the_readers_language(demo, client):
    """An untranslated update is shown in English, with a notice in Russian and lang="en"."""
    html = html_of(client, f"/ru/updates/{UNTRANSLATED_UPDATE}/")
    assert "Эта страница еще не переведена на русский язык" in html
    assert '<main id="main" tabindex="-1" lang="en">' in html
    english = UpdatePage.objects.get(slug=UNTRANSLATED_UPDATE, locale__language_code="en")
    assert f'<link rel="canonical" href="http://testserver{english.url}">' in html
    kk = html_of(client, f"/kk/updates/{UNTRANSLATED_UPDATE}/")
    assert "Бұл бет әлі қазақ тіліне аударылмаған" in kk
    translated = html_of(client, f"/ru/updates/{TRANSLATED_UPDATE}/")
    assert "translation-notice" not in translated


def test_outdated_translation_is_flagged_to_readers_and_editors(demo, client, admin_client):
    """Publishing the original again marks its translations outdated, with the date."""
    original = UpdatePage.objects.get(slug=TRANSLATED_UPDATE, locale__language_code="en")
    original.summary += " Updated."
    original.save_revision().publish()
    html = html_of(client, f"/ru/updates/{TRANSLATED_UPDATE}/")
    assert "Английский оригинал этой страницы был изменен" in html
    assert f'href="{original.url}" hreflang="en"' in html
    report = admin_client.get("/admin/reports/translations/?language=ru")
    assert report.status_code == 200
    text = report.content.decode()
    assert "Karim Massimov sentenced to 18 years after a closed trial" in text
    assert "Outdated" in text


def test_editors_report_counts_pages_left_to_translate(demo, admin_client):
    from vigil.languages.services import MISSING, translation_gaps

    gaps = translation_gaps()
    missing = {(g.source.slug, g.language) for g in gaps if g.state == MISSING}
    assert (UNTRANSLATED_UPDATE, "ru") in missing
    assert (UNTRANSLATED_UPDATE, "kk") in missing
    assert (TRANSLATED_UPDATE, "ru") not in missing
    html = admin_client.get("/admin/reports/translations/").content.decode()
    assert "Not translated" in html
    assert admin_client.get("/admin/reports/translations/?language=xx").status_code == 200


def test_dates_numbers_and_day_counts_follow_the_language(demo, client):
    """Russian genitive months, Kazakh lower-case months, Russian plural forms of 'day'."""
    assert "24 апреля 2023" in html_of(client, f"/ru/updates/{TRANSLATED_UPDATE}/")
    assert "24 сәуір 2023 ж." in html_of(client, f"/kk/updates/{TRANSLATED_UPDATE}/")
    case = CasePage.objects.get(slug="karim-massimov", locale__language_code="en")
    days = case.days_detained()
    with translation.override("ru"):
        word = ngettext("day", "days", days)
    ru_home = html_of(client, "/ru/")
    assert '</strong> <span class="day-count__word"' in ru_home
    assert f">{word}</span>" in ru_home
    with translation.override("ru"):
        assert [ngettext("day", "days", n) for n in (1, 2, 5, 21, 22, 25, 111)] == [
            "день",
            "дня",
            "дней",
            "день",
            "дня",
            "дней",
            "дней",
        ]
    assert 'data-few="дня"' in ru_home and 'data-many="дней"' in ru_home


def test_feeds_sitemaps_and_search_per_language(demo, client):
    rss = client.get("/ru/updates/feed/rss/").content.decode()
    assert "Карим Масимов приговорен к 18 годам" in rss
    assert "http://testserver/ru/updates/" in rss
    sitemap = client.get("/ru/sitemap.xml").content.decode()
    locations = re.findall(r"<loc>([^<]+)</loc>", sitemap)
    assert locations and all("/ru/" in loc for loc in locations)
    assert not any(UNTRANSLATED_UPDATE in loc for loc in locations), "no English copies"
    assert any(TRANSLATED_UPDATE in loc for loc in locations)
    robots = client.get("/robots.txt").content.decode()
    assert "/ru/sitemap.xml" in robots and "/kk/sitemap.xml" in robots
    found = html_of(client, "/ru/search/?q=приговорен")
    assert "/ru/updates/convicted-and-sentenced-to-18-years/" in found
    assert "/ru/updates/convicted" not in html_of(client, "/search/?q=приговорен")
    if connection.vendor == "postgresql":
        # Russian stemming (vigil/search/backends.py): another form of the word finds it.
        assert "/ru/updates/convicted-and-sentenced-to-18-years/" in html_of(
            client, "/ru/search/?q=приговора"
        )
    else:
        # SQLite matches whole words only, as the README says.
        assert "/ru/updates/convicted" not in html_of(client, "/ru/search/?q=приговора")


def _ui_strings() -> set[str]:
    """English strings of the public templates that have a Russian translation."""
    catalogue = polib.pofile(str(Path(settings.BASE_DIR) / "locale/ru/LC_MESSAGES/django.po"))
    strings = set()
    for entry in catalogue.translated_entries():
        places = [path for path, _line in entry.occurrences]
        public = [
            p for p in places if p.endswith(".html") and "/admin/" not in p and "/email/" not in p
        ]
        if public and " " in entry.msgid and "%(" not in entry.msgid and "<" not in entry.msgid:
            strings.add(entry.msgid)
    return strings


@pytest.mark.parametrize(
    ("language", "source", "series", "country"),
    [
        ("ru", "Новости кампании", "Закрытое правосудие", "Великобритания"),
        ("kk", "Науқан жаңалықтары", "Жабық сот төрелігі", "Ұлыбритания"),
    ],
)
def test_demo_record_is_in_the_readers_language(demo, client, language, source, series, country):
    """The case timeline names its sources, a chapter its series, the support register
    its countries, in Russian and Kazakh (they were English), and the register's "Read
    more" links lead to the reader's language where the update is translated."""
    case_html = html_of(client, prefixed(language, "/cases/karim-massimov/"))
    case = visible_text(case_html)
    assert source in case
    assert "Campaign news" not in case
    assert "I and III" not in case
    support_html = html_of(client, prefixed(language, "/support/"))
    assert country in visible_text(support_html)
    assert "United Kingdom" not in visible_text(support_html)
    read_more = re.findall(r'class="timeline__updates">(.*?)</p>', support_html)
    links = re.findall(r'href="([^"]+)"', " ".join(read_more))
    assert any(link.startswith(f"/{language}/updates/") for link in links), links
    chapter = UpdatePage.objects.filter(
        series__isnull=False, locale__language_code=language
    ).first()
    assert chapter is not None
    assert f"<h2>{series}</h2>" in html_of(client, chapter.url)


@pytest.mark.parametrize("language", ["ru", "kk"])
def test_no_english_interface_strings_on_translated_pages(demo, client, language):
    """No sentence of the interface is left in English on a translated page."""
    strings = _ui_strings()
    assert len(strings) > 50
    for path in (
        "/",
        "/updates/",
        f"/updates/{TRANSLATED_UPDATE}/",
        "/cases/karim-massimov/",
        "/case-background/",
        "/petition/",
        "/support/",
        "/search/?q=Масимов",
        "/act/subscribe/",
    ):
        text = visible_text(html_of(client, prefixed(language, path)))
        left = sorted(s for s in strings if s in text)
        assert left == [], f"{path}: {left}"


@pytest.mark.parametrize("language", ["ru", "kk"])
def test_catalogues_are_complete(language):
    """Every interface string is translated and none is left fuzzy (Russian country names
    come from django-countries, so only they may be empty there)."""
    catalogue = polib.pofile(
        str(Path(settings.BASE_DIR) / f"locale/{language}/LC_MESSAGES/django.po")
    )
    assert catalogue.fuzzy_entries() == []
    untranslated = [
        entry.msgid
        for entry in catalogue.untranslated_entries()
        if language == "kk"
        or not any(
            "country_names" in path or entry.msgctxt == "alt. month"
            for path, _line in entry.occurrences
        )
    ]
    assert untranslated == []


# Query counts in every language: vigil/core/tests/test_query_budgets.py.


def test_which_fields_are_translated_and_which_stay_in_sync():
    """Text is translated; dates, numbers, links to pages and names in other scripts
    stay in sync with the original."""
    from wagtail_localize.fields import (
        SynchronizedField,
        TranslatableField,
        get_translatable_fields,
    )

    from vigil.actions.models import PetitionPage

    def kinds(model):
        return {field.field_name: type(field) for field in get_translatable_fields(model)}

    case = kinds(CasePage)
    assert case["bio"] is TranslatableField
    assert case["status_line"] is TranslatableField
    for name in ("detained_on", "time_zone", "other_spellings", "status"):
        assert case[name] is SynchronizedField, name
    update = kinds(UpdatePage)
    assert update["body"] is TranslatableField and update["summary"] is TranslatableField
    assert update["date"] is SynchronizedField and update["series"] is SynchronizedField
    petition = kinds(PetitionPage)
    assert petition["text"] is TranslatableField and petition["addressee"] is TranslatableField
    for name in ("goal", "opens_at", "closes_at", "case"):
        assert petition[name] is SynchronizedField, name
