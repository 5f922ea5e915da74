from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "vigil.accounts"
    label = "accounts"
    verbose_name = "Editor accounts"

    def ready(self):
        from wagtail.admin import auth

        from .refusals import admin_permission_denied

        # Wagtail's admin views answer a missing permission through this one function
        # (looked up when called), by a redirect home that says nothing of what is
        # missing; the refusal page says what, which group has it and whom to ask.
        auth.permission_denied = admin_permission_denied
