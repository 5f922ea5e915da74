"""Wagtail's password reset (/admin/password_reset/), answered the same for every address.

Django's reset view looks the address up and talks to the mail server while the
request waits, only when an account has that address: an existing address answered in
twice the time of an unknown one (issue 18, item 10), and nothing limited how many
resets one address got. Here the request only counts the limits and queues the address
in the outbox (vigil/actions); the background sender looks it up and writes the reset
mail, or nothing, so the answer and its timing are the same for every address.

Limits, over a sliding hour: VIGIL_PASSWORD_RESET_PER_ADDRESS requests for one address
(3: an editor who lost a mail can ask again twice; an attacker cannot flood an inbox)
and VIGIL_PASSWORD_RESET_PER_IP from one IP address (10). Beyond either the form says so
with a 429; that answer too is the same whether or not the address has an account.
"""

from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.db import transaction
from django.http import HttpResponseRedirect
from django.template import loader
from django.utils.translation import gettext as _
from wagtail.admin.forms.auth import PasswordResetForm
from wagtail.admin.views import account

from vigil.actions.services import email_normalise, outbox_password_reset_add
from vigil.core.services import request_client_ip
from vigil.ratelimits.services import ratelimit_hit, ratelimit_key

HOUR = 3600


def password_reset_allowed(*, email: str, ip: str) -> bool:
    """Count one reset request for the address and for the IP; False once either is over."""
    per_ip = ratelimit_hit(
        key=ratelimit_key(scope="password-reset", value=ip),
        limit=settings.VIGIL_PASSWORD_RESET_PER_IP,
        window_seconds=HOUR,
    )
    per_address = ratelimit_hit(
        key=ratelimit_key(scope="password-reset-email", value=email),
        limit=settings.VIGIL_PASSWORD_RESET_PER_ADDRESS,
        window_seconds=HOUR,
    )
    return per_ip and per_address


class PasswordResetView(account.PasswordResetView):
    """Wagtail's view, with limits, and the mail left to the outbox's sender."""

    def form_valid(self, form):
        email = email_normalise(email=form.cleaned_data["email"])
        if not password_reset_allowed(email=email, ip=request_client_ip(request=self.request)):
            form.add_error(
                None,
                _(
                    "Too many password reset requests for this address or from your "
                    "connection. Please check your inbox, or try again in an hour."
                ),
            )
            return self.render_to_response(self.get_context_data(form=form), status=429)
        with transaction.atomic():
            outbox_password_reset_add(email=email)
        return HttpResponseRedirect(self.get_success_url())


class _CollectingForm(PasswordResetForm):
    """Django's reset form, rendering each message into a list instead of sending it."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.messages: list[dict] = []

    def send_mail(
        self,
        subject_template_name,
        email_template_name,
        context,
        from_email,
        to_email,
        html_email_template_name=None,
    ):
        subject = "".join(loader.render_to_string(subject_template_name, context).splitlines())
        html = (
            loader.render_to_string(html_email_template_name, context)
            if html_email_template_name
            else ""
        )
        self.messages.append(
            {
                "to": to_email,
                "subject": subject.strip(),
                "text": loader.render_to_string(email_template_name, context),
                "html": html,
                "headers": {"Auto-Submitted": "auto-generated"},
            }
        )


def password_reset_messages(*, email: str) -> list[dict]:
    """The reset messages for an address (one per active account with a usable password
    that has it; none for an unknown address), as outbox_add's keyword arguments.

    Run by the outbox's sender, never in the request.
    """
    form = _CollectingForm(data={"email": email})
    if not form.is_valid():
        return []
    base = urlsplit(settings.WAGTAILADMIN_BASE_URL)
    form.save(
        domain_override=base.netloc or "localhost",
        use_https=base.scheme == "https",
        subject_template_name=account.PasswordResetView.subject_template_name,
        email_template_name=account.PasswordResetView.email_template_name,
        token_generator=default_token_generator,
    )
    return form.messages
