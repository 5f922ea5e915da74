from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from vigil.core.registry import schedule_register


class AccountsConfig(AppConfig):
    name = "vigil.accounts"
    label = "accounts"
    verbose_name = "Editor accounts"

    def ready(self):
        from django.db.models.signals import pre_save
        from django_otp.plugins.otp_totp.models import TOTPDevice
        from wagtail.admin import auth

        from vigil.actions import services as actions_services  # in ready(): Django idiom
        from vigil.core.refusals import admin_permission_denied  # in ready(): Django idiom

        from . import checks  # noqa: F401 - registers the proxy settings' system checks
        from .password_reset import password_reset_messages  # in ready(): Django idiom
        from .retention import accounts_purge_task  # in ready(): Django idiom
        from .sealing import (  # in ready(): Django idiom
            totp_device_bin_key,
            totp_device_seal_on_save,
        )

        # TOTP keys are stored encrypted (sealing.py): django-otp reads the key only
        # through `bin_key` (codes, the QR code's address), which now unseals it, and
        # any key saved in the clear is sealed first.
        TOTPDevice.bin_key = property(totp_device_bin_key)
        pre_save.connect(totp_device_seal_on_save, sender=TOTPDevice, dispatch_uid="vigil-seal")

        # Wagtail's admin views answer a missing permission through this one function
        # (looked up when called), by a redirect home that says nothing of what is
        # missing; the refusal page says what, which group has it and whom to ask.
        auth.permission_denied = admin_permission_denied
        # The outbox (vigil.actions, below this app) writes a queued reset's mail with
        # this app's account lookup when it sends it.
        actions_services.outbox_password_reset_writer_register(messages=password_reset_messages)
        # Editors' IP addresses and sign-in records are kept only so long (settings).
        schedule_register(
            name="accounts purge",
            task=accounts_purge_task,
            every=3600,
            label=_("Delete editors' old addresses and sign-in records"),
        )
