from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PartnersConfig(AppConfig):
    name = "vigil.partners"
    label = "partners"
    verbose_name = _("Widgets for partners")
