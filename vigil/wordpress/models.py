"""What each imported WordPress item became: a second import updates, never duplicates."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class WordPressItem(models.Model):
    class Kind(models.TextChoices):
        POST = "post", _("Post")
        PAGE = "page", _("Page")
        ATTACHMENT = "attachment", _("Attachment")

    source = models.CharField(
        _("WordPress site"),
        max_length=255,
        help_text=_("The address of the WordPress site the item came from (its wp:base_blog_url)."),
    )
    locale = models.ForeignKey(
        "wagtailcore.Locale",
        verbose_name=_("language"),
        on_delete=models.CASCADE,
        related_name="+",
        help_text=_("The language tree the item was imported into."),
    )
    wp_id = models.PositiveBigIntegerField(
        _("WordPress ID"), help_text=_("The item's post ID in WordPress (the ?p= number).")
    )
    kind = models.CharField(
        _("kind"), max_length=20, choices=Kind.choices, help_text=_("What it was in WordPress.")
    )
    page = models.ForeignKey(
        "wagtailcore.Page",
        verbose_name=_("page"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("The update or standard page the post or page became."),
    )
    document = models.ForeignKey(
        settings.WAGTAILDOCS_DOCUMENT_MODEL,
        verbose_name=_("document"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("The library document the attachment became."),
    )
    image = models.ForeignKey(
        settings.WAGTAILIMAGES_IMAGE_MODEL,
        verbose_name=_("image"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("The image the attachment became."),
    )
    revision = models.ForeignKey(
        "wagtailcore.Revision",
        verbose_name=_("imported revision"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_(
            "The page revision the import wrote last; a later revision means editors changed "
            "the page, and a new import leaves it alone."
        ),
    )
    content_hash = models.CharField(
        _("content hash"),
        max_length=64,
        help_text=_("SHA-256 of what was imported, to tell a changed item from an unchanged one."),
    )
    imported_at = models.DateTimeField(
        _("imported at"), auto_now=True, help_text=_("When the import last wrote this item.")
    )

    class Meta:
        verbose_name = _("imported WordPress item")
        verbose_name_plural = _("imported WordPress items")
        constraints = [
            models.UniqueConstraint(
                fields=["source", "locale", "wp_id"], name="wordpress_item_once_per_language"
            ),
        ]

    def __str__(self):
        return f"{self.source} #{self.wp_id}"

    @property
    def target(self):
        return self.page or self.document or self.image
