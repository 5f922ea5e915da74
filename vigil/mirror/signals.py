"""A publish brings the static copy up to date in the background (MIRROR_EXPORT_DIR)."""

from django.conf import settings

from vigil.core.tasks import task_enqueue_once

from .services import mirror_refresh_task


def mirror_refresh_enqueue(sender, **kwargs) -> None:
    """Enqueue a refresh in the publish's transaction: no refresh for a rolled-back one."""
    if settings.MIRROR_EXPORT_DIR:
        task_enqueue_once(mirror_refresh_task)
