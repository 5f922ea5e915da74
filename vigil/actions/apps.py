from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from vigil.core.registry import periodic_job_register


class ActionsConfig(AppConfig):
    name = "vigil.actions"
    label = "actions"
    verbose_name = _("Take action")

    def ready(self):
        from . import views  # in ready(): Django idiom
        from .models import PetitionPage  # in ready(): Django idiom
        from .services import mail_work, outbox_work  # in ready(): Django idiom

        PetitionPage.route_views.update(
            show=views.petition_show, sign=views.petition_sign, sign_sent=views.petition_sign_sent
        )

        periodic_job_register(
            name="mail worker", run=mail_work, interval=10, interval_option="mail_interval"
        )
        # Forms' mail (confirmations, password resets) goes out within about a second.
        periodic_job_register(name="mail outbox", run=outbox_work, interval=1)
