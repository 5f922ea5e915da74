"""Moving a campaign site from WordPress: reading WXR, converting bodies, importing."""

from .content import content_convert, html_autop, shortcodes_expand
from .errors import WordPressImportError
from .importer import (
    EXISTING_PAGES,
    ImportReport,
    PinOutcome,
    import_apply,
    import_plan,
    wordpress_import,
)
from .redirects import query_redirect_find, resized_upload_redirect_find
from .wxr import wxr_parse

__all__ = [
    "EXISTING_PAGES",
    "ImportReport",
    "PinOutcome",
    "WordPressImportError",
    "content_convert",
    "html_autop",
    "import_apply",
    "import_plan",
    "query_redirect_find",
    "resized_upload_redirect_find",
    "shortcodes_expand",
    "wordpress_import",
    "wxr_parse",
]
