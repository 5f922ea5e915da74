"""Sorting names in the order readers of each language expect.

Python compares code points, which puts the Kazakh letters ә, ғ, қ, ң, ө, ұ, ү, һ, і
after я, and django-countries without PyUCA sorts Cyrillic names by nothing at all.
The alphabets below are each language's own order; neither PyICU nor PyUCA is needed
for the few lists that are sorted in Python (the database sorts the others).
"""

import unicodedata

# Each language's letters in its alphabetical order. Russian sorts ё with е (as ICU
# does) and only breaks ties on it; in Kazakh ё is a letter of its own.
ALPHABETS = {
    "en": "abcdefghijklmnopqrstuvwxyz",
    "ru": "абвгдеёжзийклмнопрстуфхцчшщъыьэюя",
    "kk": "аәбвгғдеёжзийкқлмнңоөпрстуұүфхһцчшщъыіьэюя",
}
SAME_LETTER = {"ru": {"ё": "е"}}

# The order of kinds of characters: spaces and punctuation first, then digits, then
# the language's own letters, then letters of other alphabets.
_SPACE, _DIGIT, _LETTER, _OTHER_LETTER = range(4)


def _letter_orders(language: str) -> dict[str, int]:
    alphabet = ALPHABETS.get(language.split("-")[0], ALPHABETS["en"])
    same = SAME_LETTER.get(language.split("-")[0], {})
    order = {}
    for letter in alphabet:
        order[letter] = len(order) if letter not in same else order[same[letter]]
    return order


_ORDERS = {language: _letter_orders(language) for language in ALPHABETS}


def _character_weight(character: str, order: dict[str, int]) -> tuple[int, int]:
    if character in order:
        return _LETTER, order[character]
    if character.isdigit():
        return _DIGIT, ord(character)
    if not character.isalpha():
        return _SPACE, ord(character)
    # A letter with a diacritic the alphabet does not list (é, ç, å...) sorts as its
    # base letter.
    base = unicodedata.normalize("NFKD", character)[:1]
    if base in order:
        return _LETTER, order[base]
    return _OTHER_LETTER, ord(base)


def collation_key(text: str, *, language: str) -> tuple:
    """A sort key putting `text` in `language`'s alphabetical order.

    Letters are compared first (ignoring case and accents), then the exact letters
    (е before ё, e before é), then case, as dictionaries do.
    """
    order = _ORDERS.get(language.split("-")[0]) or _letter_orders(language)
    folded = unicodedata.normalize("NFC", text).casefold()
    primary = tuple(_character_weight(character, order) for character in folded)
    return primary, folded, text.swapcase()
