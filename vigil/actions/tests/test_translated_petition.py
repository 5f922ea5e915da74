"""The petition in Russian and Kazakh: the country list and the thank-you text are the
reader's language's, not English."""

import re
from html import unescape

import pytest
from django.utils import timezone
from wagtail.models import Locale

from vigil.actions import services
from vigil.actions.tests.factories import SignatureFactory
from vigil.core.collation import collation_key

pytestmark = pytest.mark.django_db


def translate(page, language: str, **fields):
    locale, _made = Locale.objects.get_or_create(language_code=language)
    translation = page.copy_for_translation(locale, copy_parents=True)
    for name, value in fields.items():
        setattr(translation, name, value)
    translation.save_revision().publish()
    return translation


def country_options(html: str) -> list[tuple[str, str]]:
    select = re.search(r'<select name="country".*?</select>', html, re.S).group(0)
    return [
        (code, unescape(name))
        for code, name in re.findall(r'<option value="([A-Z]*)"[^>]*>([^<]*)</option>', select)
    ]


@pytest.mark.parametrize(
    ("language", "names", "in_order"),
    [
        (
            "en",
            {"KZ": "Kazakhstan", "DE": "Germany"},
            ["Afghanistan", "Åland Islands", "Albania", "Austria"],
        ),
        (
            "ru",
            {"KZ": "Казахстан", "DE": "Германия", "GB": "Великобритания"},
            ["Австралия", "Австрия", "Азербайджан", "Албания"],
        ),
        (
            "kk",
            {"KZ": "Қазақстан", "GB": "Ұлыбритания", "IN": "Үндістан", "UZ": "Өзбекстан"},
            # а < ә < б; к < қ < л; о < ө < п; у < ұ < ү < ф
            [
                "Австрия",
                "Әзербайжан",
                "Бахрейн",
                "Кувейт",
                "Қазақстан",
                "Латвия",
                "Уганда",
                "Ұлыбритания",
                "Үндістан",
                "Франция",
            ],
        ),
    ],
)
def test_country_list_is_in_the_readers_language_and_alphabet(
    client, petition, language, names, in_order
):
    """Country names are translated and sorted as the reader's alphabet orders them."""
    if language != "en":
        translate(petition, language)
    url = "/petition/" if language == "en" else f"/{language}/petition/"
    options = country_options(client.get(url).content.decode())
    assert options[0][0] == "", "the empty choice comes first"
    by_code = dict(options[1:])
    assert len(by_code) > 240
    for code, name in names.items():
        assert by_code[code] == name
    shown = [name for _code, name in options[1:]]
    assert shown == sorted(shown, key=lambda name: collation_key(name, language=language))
    positions = [shown.index(name) for name in in_order]
    assert positions == sorted(positions), [shown[p] for p in sorted(positions)]


def test_russian_sorts_yo_with_ye_and_kazakh_after_it():
    words = ["Ёлка", "Ель", "Ежи", "Жук", "Ещё"]
    # ICU's order too: ё weighs as е, so "Ёлка" (елка) comes before "Ель".
    assert sorted(words, key=lambda w: collation_key(w, language="ru")) == [
        "Ежи",
        "Ёлка",
        "Ель",
        "Ещё",
        "Жук",
    ]
    assert sorted(words, key=lambda w: collation_key(w, language="kk")) == [
        "Ежи",
        "Ель",
        "Ещё",
        "Ёлка",
        "Жук",
    ]


def test_confirming_in_russian_thanks_with_the_russian_petitions_text(client, petition):
    """The thank-you text, title and link back come from the Russian petition page."""
    petition.thank_you = "Thank you! Now share the petition."
    petition.save_revision().publish()
    russian = translate(
        petition,
        "ru",
        title="Освободите тестового человека",
        thank_you="Спасибо! Теперь поделитесь петицией.",
    )
    signature = SignatureFactory(petition=petition, language="ru")
    token = services.token_make(
        purpose=services.PURPOSE_SIGNATURE_CONFIRM, pk=signature.pk, email=signature.email
    )
    url = f"/ru/act/signature/confirm/{token}/"
    asked = client.get(url).content.decode()
    assert "«Освободите тестового человека»" in unescape(asked)
    assert "Free the test person" not in asked
    done = client.post(url).content.decode()
    assert "Спасибо! Теперь поделитесь петицией." in done
    assert "Now share the petition" not in done
    assert f'href="{russian.url}"' in done
    signature.refresh_from_db()
    assert signature.confirmed_at is not None and signature.confirmed_at <= timezone.now()
