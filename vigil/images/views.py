"""The only media a stranger may fetch: renditions.

Originals (`original_images/`) keep the file exactly as the editor chose it until it is
cleaned, and are never linked by a page; documents (`documents/`) are served by their
own view, which checks their collection's privacy. Both stay private whoever serves
`/media/`: this view for `make run`, the mirror export, and the front server README
describes (which must serve only `/media/images/`).
"""

import posixpath

from django.conf import settings
from django.http import Http404
from django.views.static import serve

PUBLIC_MEDIA_FOLDERS = ("images/",)


def media_path_public(path: str) -> bool:
    """Whether `path` (relative to MEDIA_ROOT) is a file strangers may fetch."""
    normal = posixpath.normpath("/" + path.replace("\\", "/")).lstrip("/")
    return normal.startswith(PUBLIC_MEDIA_FOLDERS) and normal == path


def media_serve(request, path: str):
    """Django's static file view, for renditions only; anything else is 404."""
    if not media_path_public(path):
        raise Http404
    return serve(request, path, document_root=settings.MEDIA_ROOT)
