from django.apps import AppConfig


class ImagesConfig(AppConfig):
    name = "vigil.images"
    label = "images"

    def ready(self):
        from django.conf import settings
        from PIL import Image

        # Pillow's own decompression-bomb limit, for every decode in the process
        # (renditions of pictures stored before the limit was lowered included): a
        # warning above it, an error above twice it.
        Image.MAX_IMAGE_PIXELS = settings.WAGTAILIMAGES_MAX_IMAGE_PIXELS
