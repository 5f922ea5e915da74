"""Site search over updates, pages and cases."""

import re

from wagtail.models import Page

MAX_QUERY_LENGTH = 200
_NOT_WORD = re.compile(r"[^\w\s'’.-]|_")


def search_query_clean(*, raw: str) -> tuple[str, bool]:
    """A query safe to pass to the search backend, and whether it was shortened.

    Control characters (NUL among them) are dropped and whitespace folded, so
    that no input can reach the database in a form it rejects.
    """
    # Only words reach the backend: quotes, brackets and operators are FTS5 and
    # tsquery syntax, and an unbalanced one is a database error, not a search.
    cleaned = _NOT_WORD.sub(" ", raw)
    cleaned = " ".join(cleaned.split())
    truncated = len(cleaned) > MAX_QUERY_LENGTH
    return cleaned[:MAX_QUERY_LENGTH].strip(), truncated


def pages_search(*, query: str, site_root: Page):
    """Live, public pages under `site_root` that match `query`, best first.

    Each language has its own tree under its own home page, so searching under the
    reader's home searches their language (untranslated pages there are in English).
    """
    pages = Page.objects.live().public().descendant_of(site_root, inclusive=True)
    return pages.search(query, operator="and")
