from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from vigil.core.registry import schedule_register, task_retry_register


class ActionsConfig(AppConfig):
    name = "vigil.actions"
    label = "actions"
    verbose_name = _("Take action")

    def ready(self):
        from . import views  # in ready(): Django idiom
        from .models import PetitionPage  # in ready(): Django idiom
        from .services import mailings, outbox, privacy  # in ready(): Django idiom

        PetitionPage.route_views.update(
            show=views.petition_show, sign=views.petition_sign, sign_sent=views.petition_sign_sent
        )
        # A send is enqueued when the editor presses send and a form's mail when the
        # form is posted; these runs resume what a dead mail server or a crash cut off,
        # and send mail the per-minute ceilings held back.
        schedule_register(
            name="mailings",
            task=mailings.mailings_send,
            every=60,
            label=_("Send updates to subscribers"),
        )
        schedule_register(
            name="mail outbox",
            task=outbox.outbox_deliver,
            every=10,
            label=_("Send the forms' email (confirmations, password resets)"),
        )
        schedule_register(
            name="mail purge",
            task=outbox.outbox_purge_task,
            every=600,
            label=_("Delete sent email from the outbox"),
        )
        schedule_register(
            name="unconfirmed purge",
            task=privacy.unconfirmed_purge_task,
            every=86400,
            label=_("Delete signatures and subscriptions never confirmed"),
        )
        task_retry_register(task=mailings.mailings_send, delays=(30, 120, 600))
