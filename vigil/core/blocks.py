"""The body blocks shared by updates and standard pages."""

from django.utils.translation import gettext_lazy as _
from wagtail import blocks
from wagtail.documents.blocks import DocumentChooserBlock
from wagtail.images.blocks import ImageChooserBlock

# Headings inside paragraphs are left out on purpose: the heading block keeps
# the outline clean (h2/h3 only), which screen-reader users navigate by.
RICH_TEXT_FEATURES = ["bold", "italic", "ol", "ul", "link", "document-link"]


class HeadingBlock(blocks.StructBlock):
    text = blocks.CharBlock(label=_("Heading"), max_length=200)
    level = blocks.ChoiceBlock(
        label=_("Level"),
        choices=[("h2", _("Section")), ("h3", _("Sub-section"))],
        default="h2",
        help_text=_("Use 'Section' for main parts and 'Sub-section' inside them."),
    )

    class Meta:
        icon = "title"
        label = _("Heading")
        template = "core/blocks/heading_block.html"


class QuoteBlock(blocks.StructBlock):
    text = blocks.TextBlock(label=_("Quotation"))
    attribution = blocks.CharBlock(
        label=_("Said by"), required=False, help_text=_("Who said or wrote it.")
    )
    source_url = blocks.URLBlock(
        label=_("Source link"),
        required=False,
        help_text=_("Where readers can check the quotation."),
    )

    class Meta:
        icon = "openquote"
        label = _("Quotation")
        template = "core/blocks/quote_block.html"


class CaptionedImageBlock(blocks.StructBlock):
    image = ImageChooserBlock(label=_("Image"))
    alt_text = blocks.CharBlock(
        label=_("Alternative text"),
        max_length=300,
        help_text=_("Describe what the picture shows for readers who cannot see it. Required."),
    )
    caption = blocks.CharBlock(label=_("Caption"), required=False, max_length=400)
    credit = blocks.CharBlock(
        label=_("Credit"),
        required=False,
        max_length=255,
        help_text=_("Leave empty to show the image's own credit."),
    )

    # The image's credit is shared by every language; translators get it among the
    # block's texts and their translation is kept in the block. The image itself stays
    # the original's.
    TRANSLATED = ("alt_text", "caption", "credit")

    class Meta:
        icon = "image"
        label = _("Image")
        template = "core/blocks/captioned_image_block.html"

    def get_translatable_segments(self, value):
        from wagtail_localize.segments import StringSegmentValue

        texts = {name: value.get(name) or "" for name in self.TRANSLATED}
        if not texts["credit"] and value.get("image") is not None:
            texts["credit"] = value["image"].credit
        return [StringSegmentValue(name, text) for name, text in texts.items() if text]

    def restore_translated_segments(self, value, segments):
        from wagtail_localize.segments import StringSegmentValue

        for segment in segments:
            if isinstance(segment, StringSegmentValue) and segment.path in self.TRANSLATED:
                value[segment.path] = segment.render_text()
        return value


class DocumentLinkBlock(blocks.StructBlock):
    document = DocumentChooserBlock(label=_("Document"))
    title = blocks.CharBlock(
        label=_("Link text"),
        required=False,
        help_text=_("Leave empty to use the document's own title."),
    )

    class Meta:
        icon = "doc-full"
        label = _("Document link")
        template = "core/blocks/document_link_block.html"


class PrivateEmbedBlock(blocks.StructBlock):
    """A video or post from another site, shown as a link card.

    Third-party players tell their owners who watched: readers in the country
    concerned must not be exposed by opening an update, so nothing is loaded
    from the other site until the reader follows the link.
    """

    url = blocks.URLBlock(label=_("Address of the video or post"))
    title = blocks.CharBlock(label=_("What it is"), max_length=200)
    description = blocks.TextBlock(label=_("Short description"), required=False)

    class Meta:
        icon = "media"
        label = _("Embed")
        template = "core/blocks/private_embed_block.html"


class BodyBlock(blocks.StreamBlock):
    paragraph = blocks.RichTextBlock(
        label=_("Paragraph"),
        features=RICH_TEXT_FEATURES,
        help_text=_(
            "Type [1], [2]… where a source in the References list is cited, and [[days]] "
            "for the number of days the person has been detained."
        ),
        template="core/blocks/paragraph_block.html",
    )
    heading = HeadingBlock()
    quote = QuoteBlock()
    image = CaptionedImageBlock()
    document = DocumentLinkBlock()
    embed = PrivateEmbedBlock()

    class Meta:
        label = _("Body")
