"""Which pages still need translating, and which translations fell behind their original."""

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.utils.translation import get_language_info
from wagtail.models import Page

MISSING = "missing"
OUTDATED = "outdated"


@dataclass
class TranslationGap:
    source: Page
    language: str
    state: str  # MISSING or OUTDATED
    target: Page | None
    source_changed: dt.datetime | None
    translated: dt.datetime | None


def translation_gaps(*, language: str | None = None) -> list[TranslationGap]:
    """Every live page of the default language that is untranslated or outdated elsewhere.

    Untranslated: no page in that language, or only the English copy shown there.
    Outdated: the original was published again after the translation's last publication.
    One query for the whole site.
    """
    languages = [code for code, _name in settings.LANGUAGES if code != settings.LANGUAGE_CODE]
    if language is not None:
        languages = [code for code in languages if code == language]
    pages = (
        Page.objects.live()
        .filter(depth__gt=1)
        .select_related("locale")
        .only(
            "id",
            "title",
            "path",
            "depth",
            "translation_key",
            "alias_of_id",
            "last_published_at",
            "locale__language_code",
            "content_type_id",
        )
        .order_by("path")
    )
    by_key: dict = {}
    sources = []
    for page in pages:
        code = page.locale.language_code
        by_key.setdefault(page.translation_key, {})[code] = page
        if code == settings.LANGUAGE_CODE and page.alias_of_id is None:
            sources.append(page)
    gaps = []
    for source in sources:
        versions = by_key[source.translation_key]
        for code in languages:
            target = versions.get(code)
            if target is None or target.alias_of_id is not None:
                state = MISSING
            elif (
                source.last_published_at
                and target.last_published_at
                and source.last_published_at > target.last_published_at
            ):
                state = OUTDATED
            else:
                continue
            gaps.append(
                TranslationGap(
                    source=source,
                    language=code,
                    state=state,
                    target=target,
                    source_changed=source.last_published_at,
                    translated=target.last_published_at
                    if target is not None and target.alias_of_id is None
                    else None,
                )
            )
    return gaps


def language_name(*, code: str) -> str:
    """What editors read for a language code: the site's languages by their own names
    (English, Русский, Қазақша), any other by Django's name in the editor's language,
    and an unknown code as it is."""
    names = dict(settings.LANGUAGES)
    if code in names:
        return names[code]
    try:
        return get_language_info(code)["name_translated"]
    except KeyError:
        return code
