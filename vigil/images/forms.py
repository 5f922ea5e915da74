"""The admin's image form (WAGTAILIMAGES_IMAGE_FORM_BASE), with Vigil's message for pixels."""

from django.utils.translation import gettext as _
from wagtail.images.forms import BaseImageForm

from . import services


class CampaignImageForm(BaseImageForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "file" in self.fields:
            # Wagtail's says "too many pixels (unknown number)" for a file Pillow refused
            # from its header; an editor needs the limit and what to do.
            message = _(
                "This picture has too many pixels: the site takes pictures of up to "
                "%(limit)s megapixels. Make it smaller, e.g. 6000 pixels wide, and upload "
                "it again."
            ) % {"limit": services.image_max_pixels() // 1_000_000}
            # Wagtail fills in its own placeholders with `%`: none are left to fill.
            self.fields["file"].error_messages["file_too_many_pixels"] = message.replace("%", "%%")
