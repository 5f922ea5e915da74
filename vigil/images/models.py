"""The campaign's image model.

A custom model from the first migration, so that later fields (credits,
licence, translations) need no data migration of Wagtail's own tables.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail.images.models import AbstractImage, AbstractRendition, Image


class CampaignImage(AbstractImage):
    credit = models.CharField(
        _("credit"),
        max_length=255,
        blank=True,
        help_text=_("Who took or owns the picture, shown under it, e.g. 'Photo: family archive'."),
    )

    admin_form_fields = Image.admin_form_fields + ("credit",)


class CampaignRendition(AbstractRendition):
    image = models.ForeignKey(CampaignImage, on_delete=models.CASCADE, related_name="renditions")

    class Meta:
        unique_together = (("image", "filter_spec", "focal_point_key"),)
