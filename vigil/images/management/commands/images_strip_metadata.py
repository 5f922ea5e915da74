"""Strip location and device metadata from every stored picture; delete its renditions."""

from django.core.management.base import BaseCommand

from vigil.images.models import CampaignImage, CampaignRendition
from vigil.images.services import images_clean_stored


class Command(BaseCommand):
    help = (
        "Re-encode every stored original picture without its EXIF/XMP/IPTC metadata "
        "(location, device, date), keeping pixels, orientation and colour profile, and "
        "delete its renditions so they are made again from the clean copy."
    )

    def handle(self, *args, **options):
        cleaned, deleted = images_clean_stored(
            image_model=CampaignImage, rendition_model=CampaignRendition
        )
        self.stdout.write(f"{cleaned} pictures cleaned, {deleted} renditions deleted.")
