from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from vigil.core.registry import schedule_register, share_image_register


class SharingConfig(AppConfig):
    name = "vigil.sharing"
    label = "sharing"
    verbose_name = _("Share images")

    def ready(self):
        from .services import (  # in ready(): Django idiom
            share_images_purge_task,
            share_meta_describe,
        )

        share_image_register(name="share image", describe=share_meta_describe)
        schedule_register(
            name="share images purge",
            task=share_images_purge_task,
            every=3600,
            label=_("Delete share images of past days"),
        )
