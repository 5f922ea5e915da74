"""What a page depends on, recorded while it renders, and what a write changes.

Two sources, both automatic so that a new template or query cannot forget to declare
what it shows:

- every Page instance built while rendering adds ``page:<id>`` (cards, menus, links,
  the page itself);
- every SELECT adds a tag per table it reads: ``table:<name>`` for snippets, settings,
  statements, documents and other rows, and ``pagetype:<name>`` when it lists pages of
  a type (a query by page id adds nothing: the instance tags cover it).

Writes to non-page tables are caught at the SQL level, so ``queryset.update()`` and
bulk loaders invalidate too. Page changes are handled by Wagtail's signals
(signals.py), because page rows are also written by draft saves and locks, which
change nothing the public sees.
"""

import re
from functools import cache

from django.apps import apps

# The recording itself lives in core, so that any layer can declare what it shows.
from vigil.core.dependencies import tags_collected

_READ_TABLES = re.compile(r'(?:FROM|JOIN)\s+"?(\w+)"?', re.IGNORECASE)
_WRITE_TABLE = re.compile(
    r'^\s*(?:INSERT\s+(?:OR\s+\w+\s+)?INTO|UPDATE|DELETE\s+FROM)\s+"?(\w+)"?', re.I
)
# A query whose WHERE picks pages by id loads known pages (their instance tags cover
# them); any other query over a page type's table is a list that new pages can join.
_BY_PAGE_ID = re.compile(
    r'\s*\(?\s*"\w+"\."(?:page_ptr_id|id)"\s*(?:=\s*\S+|IN\s*\([^()]*\))\s*\)?\s*'
    r"(?:ORDER BY .*|LIMIT .*)?",
    re.IGNORECASE | re.DOTALL,
)

# Read or written for reasons that change nothing on a public page: renditions are made
# while pages render, revisions and logs by editors' drafts, the rest by visitors.
IGNORED_TABLES = frozenset(
    {
        "wagtailimages_rendition",
        "wagtailcore_revision",
        "wagtailcore_pagelogentry",
        "wagtailcore_modellogentry",
        "wagtailcore_referenceindex",
        "wagtailcore_pagesubscription",
        "wagtailsearch_indexentry",
        "django_session",
        "django_migrations",
        "ratelimits_ratecounter",
        "axes_accessattempt",
        "axes_accessfailurelog",
        "axes_accesslog",
        "pagecache_cachedpage",
        "pagecache_cachedpagetag",
        "pagecache_invalidation",
    }
)


@cache
def page_tables() -> frozenset[str]:
    """Tables of Page and its subclasses: changed through Wagtail's page signals."""
    from wagtail.models import Page

    return frozenset(model._meta.db_table for model in apps.get_models() if issubclass(model, Page))


def on_post_init(sender, instance, **kwargs) -> None:
    collected = tags_collected()
    if collected is None:
        return
    from wagtail.models import Page

    if isinstance(instance, Page) and instance.pk is not None:
        collected.add(f"page:{instance.pk}")


def read_tags(sql: str) -> set[str]:
    tags = set()
    pages = page_tables()
    by_page_id = None
    for table in _READ_TABLES.findall(sql):
        if table in IGNORED_TABLES or table == "wagtailcore_page":
            continue
        if table in pages:
            if by_page_id is None:
                _, where, conditions = sql.partition(" WHERE ")
                by_page_id = bool(where) and bool(_BY_PAGE_ID.fullmatch(conditions))
            if not by_page_id:
                tags.add(f"pagetype:{table}")
        else:
            tags.add(f"table:{table}")
    return tags


def written_table(sql: str) -> str | None:
    """The table a write statement changes, if it can change a public page."""
    match = _WRITE_TABLE.match(sql)
    if match is None:
        return None
    table = match.group(1)
    if table in IGNORED_TABLES or table in page_tables():
        return None
    return table


def execute_wrapper(execute, sql, params, many, context):
    """Installed on every database connection (signals.connect)."""
    result = execute(sql, params, many, context)
    head = sql.lstrip()[:6].upper()
    if head == "SELECT" or head == "WITH":
        collected = tags_collected()
        if collected is not None:
            collected.update(read_tags(sql))
    elif head in ("INSERT", "UPDATE", "DELETE"):
        table = written_table(sql)
        if table is not None:
            from .services import (  # circle: the services import this module
                page_cache_invalidate_after_statement,
                page_cache_invalidate_later,
            )

            connection = context["connection"]
            tags = [f"table:{table}"]
            if not connection.in_atomic_block and "RETURNING" in sql.upper():
                page_cache_invalidate_after_statement(connection=connection, tags=tags)
            else:
                page_cache_invalidate_later(connection=connection, tags=tags)
    return result
