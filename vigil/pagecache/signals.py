"""Where changes reach the page cache.

Pages: Wagtail's publish, unpublish, move and delete signals (draft saves and locks also
write page rows, but change nothing public, so page tables are not watched at the SQL
level). Everything else: the SQL execute wrapper (collect.py), installed on every
database connection here.
"""

from django.core.signals import request_finished
from django.db import connections
from django.db.backends.signals import connection_created
from django.db.models.signals import post_delete, post_init, post_save
from wagtail.models import Page
from wagtail.signals import page_published, page_unpublished, post_page_move

from . import collect
from .services import page_cache_flush_deferred, page_cache_invalidate_later


def page_change_tags(*, page: Page, parent_paths: list[str]) -> set[str]:
    """What shows a page: itself and its translations (their language switchers and
    "outdated translation" notes), lists of its type, and its parent's list of children.
    """
    tags = {f"page:{page.pk}", "pages:all"}
    tags.update(f"children:{path}" for path in parent_paths)
    model = page.specific_class or type(page)
    for ancestor in model._meta.get_parent_list() + [model]:
        table = ancestor._meta.db_table
        if table != Page._meta.db_table and issubclass(ancestor, Page):
            tags.add(f"pagetype:{table}")
    if page.translation_key:
        tags.update(
            f"page:{pk}"
            for pk in Page.objects.filter(translation_key=page.translation_key).values_list(
                "pk", flat=True
            )
        )
    return tags


def _parent_path(path: str) -> str:
    return path[: -Page.steplen]


def on_page_published(sender, instance, **kwargs):
    page_cache_invalidate_later(
        tags=page_change_tags(page=instance, parent_paths=[_parent_path(instance.path)])
    )


def on_page_unpublished(sender, instance, **kwargs):
    page_cache_invalidate_later(
        tags=page_change_tags(page=instance, parent_paths=[_parent_path(instance.path)])
    )


def on_page_moved(sender, instance, parent_page_before, parent_page_after, **kwargs):
    tags = page_change_tags(
        page=instance, parent_paths=[parent_page_before.path, parent_page_after.path]
    )
    # Every page below moves with it: their addresses change.
    descendants = Page.objects.descendant_of(instance).only("pk", "path", "content_type")
    for descendant in descendants:
        tags.update(page_change_tags(page=descendant, parent_paths=[]))
    page_cache_invalidate_later(tags=tags)


def on_page_deleted(sender, instance, **kwargs):
    tags = {f"page:{instance.pk}", "pages:all", f"children:{_parent_path(instance.path)}"}
    table = type(instance)._meta.db_table
    if table != Page._meta.db_table:
        tags.add(f"pagetype:{table}")
    page_cache_invalidate_later(tags=tags)


def on_saved(sender, using, **kwargs):
    """An INSERT ... RETURNING outside a transaction is complete once the save is."""
    page_cache_flush_deferred(connection=connections[using])


def on_request_finished(sender, **kwargs):
    for connection in connections.all(initialized_only=True):
        page_cache_flush_deferred(connection=connection)


def on_connection_created(sender, connection, **kwargs):
    if collect.execute_wrapper not in connection.execute_wrappers:
        connection.execute_wrappers.append(collect.execute_wrapper)


def connect() -> None:
    connection_created.connect(on_connection_created, dispatch_uid="vigil_pagecache_wrapper")
    post_init.connect(collect.on_post_init, dispatch_uid="vigil_pagecache_post_init")
    post_save.connect(on_saved, dispatch_uid="vigil_pagecache_saved")
    request_finished.connect(on_request_finished, dispatch_uid="vigil_pagecache_finished")
    page_published.connect(on_page_published, dispatch_uid="vigil_pagecache_published")
    page_unpublished.connect(on_page_unpublished, dispatch_uid="vigil_pagecache_unpublished")
    post_page_move.connect(on_page_moved, dispatch_uid="vigil_pagecache_moved")
    from django.apps import apps

    for model in apps.get_models():
        if issubclass(model, Page):
            post_delete.connect(
                on_page_deleted,
                sender=model,
                dispatch_uid=f"vigil_pagecache_deleted_{model._meta.label}",
            )
