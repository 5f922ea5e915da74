"""The legal record in any language: the original case's facts with the page's texts.

Charges, decisions, detention orders and deadlines are child objects of the case page
(translatable: each has a translation key shared with its copies in other languages).
What happened and when is the same in every language, so every language shows the rows
of the default-language case as published: an order added there is on the Russian and
Kazakh pages at once, before anyone translates it. Their words (a court's name, a
source, a note) come from the translation's row with the same key; a row not yet
translated shows the original's words and says which language they are in.
"""

from django.conf import settings
from django.db.models import Q

from .models import Charge, Deadline, DetentionOrder, InternationalDecision

# The words of each row, translated; everything else is a fact, shared.
TEXT_FIELDS = {
    "charges": ("article", "title"),
    "decisions": ("body", "reference", "finding", "categories"),
    "orders": ("authorised_by", "source", "note"),
    "deadlines": ("title", "owed_by", "note"),
}


def _models() -> dict:
    return {
        "charges": Charge,
        "decisions": InternationalDecision,
        "orders": DetentionOrder,
        "deadlines": Deadline,
    }


def record_rows_load(*, case, source_id=None) -> dict[str, list]:
    """The charges, decisions, orders and deadlines `case` shows, one query each.

    `source_id`: the default-language case's id, a value or an expression
    (`page_source_id`); None or `case.pk` in the default language.
    """
    rows = {}
    for relation, model in _models().items():
        if source_id is None or source_id == case.pk:
            rows[relation] = list(model.objects.filter(case_id=case.pk))
            continue
        found = list(
            model.objects.filter(Q(case_id=source_id) | Q(case_id=case.pk)).annotate(
                original_case=source_id
            )
        )
        rows[relation] = _rows_localise(found, relation=relation, case_id=case.pk)
    return rows


def _rows_localise(found: list, *, relation: str, case_id: int) -> list:
    """The original case's rows, with the translation's words where it has them."""
    if not found:
        return []
    original = found[0].original_case
    local = {r.translation_key: r for r in found if r.case_id == case_id != original}
    shown = [r for r in found if r.case_id == original]
    for row in shown:
        translated = local.get(row.translation_key)
        if translated is None:
            row.text_language = settings.LANGUAGE_CODE
            continue
        row.text_language = ""
        for name in TEXT_FIELDS[relation]:
            value = getattr(translated, name)
            if value:
                setattr(row, name, value)
        if relation == "charges":
            _history_notes_localise(row, translated)
    return shown


def _history_notes_localise(charge, translated) -> None:
    """A charge's status changes are facts; their notes are words, matched by block id
    (wagtail-localize keeps a block's id in its translations)."""
    notes = {block.id: block.value.get("note") for block in translated.history}
    for block in charge.history:
        if notes.get(block.id):
            block.value["note"] = notes[block.id]


__all__ = ["TEXT_FIELDS", "record_rows_load"]
