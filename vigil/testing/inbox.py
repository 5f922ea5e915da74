"""The SMTP sink as in-process tests read it: Django's SMTP backend pointed at a Mailbox.

Requests only queue their mail (vigil/actions/services/outbox.py); reading the inbox
first runs the outbox's sender once, as the server's outbox loop would have by then.
"""

import contextlib
from collections.abc import Iterator

from vigil.actions.services import outbox_send
from vigil.testing.mail import Mailbox, smtp_server
from vigil.testing.servers import free_port


class Inbox:
    """What the test SMTP server received, parsed, in arrival order (the outbox sent first).

    `refuse` and `fail_after` are the Mailbox's: recipients refused for good, and how
    many messages are taken before the rest are refused for now.
    """

    def __init__(self, mailbox: Mailbox):
        self.mailbox = mailbox

    @property
    def port(self) -> int | None:
        return self.mailbox.port

    @property
    def refuse(self) -> set:
        return self.mailbox.refuse

    @refuse.setter
    def refuse(self, addresses: set) -> None:
        self.mailbox.refuse = addresses

    @property
    def fail_after(self) -> int | None:
        return self.mailbox.fail_after

    @fail_after.setter
    def fail_after(self, count: int | None) -> None:
        self.mailbox.fail_after = count

    @property
    def messages(self) -> list:
        outbox_send()
        return [message for _recipients, message in self.mailbox.all()]

    def to(self, address: str) -> list:
        return [m for m in self.messages if address in m.envelope_to]

    def clear(self) -> None:
        outbox_send()
        self.mailbox.clear()


def smtp_settings_point(settings, *, port: int) -> None:
    """Django's SMTP backend, sending to 127.0.0.1:`port` without TLS or a login."""
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = port
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = ""
    settings.EMAIL_HOST_PASSWORD = ""


@contextlib.contextmanager
def inbox_serving(settings) -> Iterator[Inbox]:
    """A real SMTP server on loopback that Django's SMTP backend sends to, while the
    block runs (`settings`: pytest-django's fixture, put back after the test)."""
    mailbox = Mailbox()
    with smtp_server(mailbox) as port:
        smtp_settings_point(settings, port=port)
        yield Inbox(mailbox)


def smtp_nowhere_point(settings) -> None:
    """Mail configured to a port where nothing listens: every send fails."""
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = free_port()
    settings.EMAIL_TIMEOUT = 2
