"""Plain-text helpers shared by the body conversion and the importer."""

from django.utils.translation import gettext as _


def words(text: str) -> str:
    """`text` on one line, runs of white space (line breaks, no-break spaces) as one space."""
    return " ".join(text.split())


def text_fit(*, text: str, limit: int, what: str, notes: list[str]) -> str:
    """`text` within a field's `limit`, cut at a word if it must be, never silently.

    What does not fit is written out in full in `notes`, so the report keeps every word the
    author wrote even where the field cannot.
    """
    if len(text) <= limit:
        return text
    kept = text[:limit]
    if not text[limit].isspace() and " " in kept.strip():
        kept = kept.rstrip().rsplit(" ", 1)[0]
    kept = kept.rstrip()
    rest = text[len(kept) :].strip()
    notes.append(
        _("%(what)s is longer than %(limit)s characters; not stored: %(rest)s")
        % {"what": what, "limit": limit, "rest": rest}
    )
    return kept
