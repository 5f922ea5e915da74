"""The campaign's image model.

A custom model from the first migration, so that later fields (credits,
licence, translations) need no data migration of Wagtail's own tables.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail.images.models import AbstractImage, AbstractRendition, Image

from . import services


class CampaignImage(AbstractImage):
    credit = models.CharField(
        _("credit"),
        max_length=255,
        blank=True,
        help_text=_("Who took or owns the picture, shown under it, e.g. 'Photo: family archive'."),
    )

    licence = models.CharField(
        _("licence"),
        max_length=255,
        blank=True,
        help_text=_(
            "How others may use the picture, e.g. 'Free to use with credit' or 'CC BY 4.0'. "
            "Shown on the press page."
        ),
    )

    admin_form_fields = Image.admin_form_fields + ("credit", "licence")

    def save(self, *args, **kwargs):
        """Store a newly chosen file only without its location and device metadata.

        Here rather than in the form, so that every way in (the admin's add, edit and
        multiple upload views, the WordPress import, the shell) gets the same copy.
        """
        new_file = self.file and not getattr(self.file, "_committed", True)
        if new_file and services.image_file_clean(image=self) and kwargs.get("update_fields"):
            kwargs["update_fields"] = {
                *kwargs["update_fields"],
                *("file", "width", "height", "file_size", "file_hash"),
            }
        super().save(*args, **kwargs)


class CampaignRendition(AbstractRendition):
    image = models.ForeignKey(CampaignImage, on_delete=models.CASCADE, related_name="renditions")

    class Meta:
        unique_together = (("image", "filter_spec", "focal_point_key"),)
