from django.apps import AppConfig


class ImagesConfig(AppConfig):
    name = "vigil.images"
    label = "images"
