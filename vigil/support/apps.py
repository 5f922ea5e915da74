from django.apps import AppConfig

from vigil.core.registry import page_role_register


class SupportConfig(AppConfig):
    name = "vigil.support"
    label = "support"

    def ready(self):
        from . import views  # in ready(): Django idiom
        from .models import SupportRegisterPage  # in ready(): Django idiom

        SupportRegisterPage.route_views.update(listing=views.register_listing)
        page_role_register(role="support_register", model=SupportRegisterPage)
