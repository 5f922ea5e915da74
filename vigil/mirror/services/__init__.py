"""The static, signed copy of the public site: export, search index, signature, checks,
publishing to buckets and folders."""

from .export import (
    ExportError,
    ExportSummary,
    mirror_refresh,
    mirror_refresh_report,
    mirror_refresh_task,
    nginx_example,
    public_page_paths,
    site_export,
)
from .publish import (
    PublishError,
    PublishReport,
    PublishTarget,
    mirror_publish,
    publish_targets_parse,
)
from .render import MIRROR_ENVIRON_KEY, MirrorRendering
from .signing import (
    MirrorKeyError,
    VerifyReport,
    key_fingerprint,
    mirror_key_create,
    mirror_key_path,
    mirror_public_key,
    mirror_verify,
)

__all__ = [
    "MIRROR_ENVIRON_KEY",
    "ExportError",
    "ExportSummary",
    "MirrorKeyError",
    "MirrorRendering",
    "PublishError",
    "PublishReport",
    "PublishTarget",
    "VerifyReport",
    "key_fingerprint",
    "mirror_key_create",
    "mirror_key_path",
    "mirror_publish",
    "mirror_public_key",
    "mirror_refresh",
    "mirror_refresh_report",
    "mirror_refresh_task",
    "mirror_verify",
    "nginx_example",
    "public_page_paths",
    "publish_targets_parse",
    "site_export",
]
