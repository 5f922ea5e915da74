"""Site search over updates, pages and cases."""

import re

from wagtail.models import Page

from vigil.news.teasers import teaser_choose

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
    # Wagtail's public(), not pages_public(): search backends accept only plain filters.
    pages = Page.objects.live().public().descendant_of(site_root, inclusive=True)
    return pages.search(query, operator="and")


CARD_FIELDS = ("date", "summary", "intro", "opening")


def pages_with_card_fields(*, pages: list) -> list:
    """The `pages` (in their order), each with the `date`, `summary`, `intro` and `opening`
    that its page type has (None where it has none), and an update's `teaser`, in one query
    whatever the page types.

    `.specific()` would take one query per page type among the results.
    """
    from django.db.models import F, TextField
    from django.db.models.functions import Cast, Coalesce
    from wagtail.models import get_page_models

    sources: dict[str, list] = {name: [] for name in CARD_FIELDS}
    for model in get_page_models():
        if model is Page:
            continue
        own = {f.name for f in model._meta.get_fields(include_parents=False)}
        for name in CARD_FIELDS:
            if name in own:
                sources[name].append(f"{model._meta.model_name}__{name}")
    annotations = {}
    for name, paths in sources.items():
        if name == "date":
            expressions = [F(path) for path in paths]
        else:
            expressions = [Cast(path, output_field=TextField()) for path in paths]
        if len(expressions) > 1:
            annotations[f"card_{name}"] = Coalesce(*expressions)
        elif expressions:
            annotations[f"card_{name}"] = expressions[0]
    loaded = {
        page.pk: page
        for page in Page.objects.filter(pk__in=[p.pk for p in pages]).annotate(**annotations)
    }
    result = []
    for page in pages:
        found = loaded.get(page.pk)
        if found is None:
            continue
        for name in CARD_FIELDS:
            setattr(found, name, getattr(found, f"card_{name}", None))
        # As UpdatePage.teaser: these are plain pages, with the fields but not the property.
        found.teaser = teaser_choose(summary=found.summary or "", opening=found.opening or "")
        result.append(found)
    return result
