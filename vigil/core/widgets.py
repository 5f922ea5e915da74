"""The admin's rich text editor, made safe against hand-made form posts."""

from wagtail.admin.rich_text import DraftailRichTextArea

from .services import richtext_stored_clean


class SanitisingDraftailRichTextArea(DraftailRichTextArea):
    """Draftail, whose posted value is cleaned before it reaches any field or block.

    The editor posts JSON that Wagtail converts to HTML; a post that is not JSON (raw HTML
    sent by hand) would otherwise be a server error. It is cleaned as HTML instead.
    """

    def value_from_datadict(self, data, files, name):
        try:
            html = super().value_from_datadict(data, files, name)
        except ValueError:  # not the editor's JSON
            html = data.get(name)
        if html is None:
            return None
        return richtext_stored_clean(html=html)
