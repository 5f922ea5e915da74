"""A real SMTP server (aiosmtpd) for the tests, and helpers to read what it received."""

import email
import email.policy
import re
import socket
import threading
from dataclasses import dataclass, field

import pytest
from aiosmtpd.controller import Controller
from django.core.cache import cache

from vigil.actions.services import outbox_send
from vigil.actions.tests.factories import PetitionPageFactory
from vigil.core.tests.browser import (  # noqa: F401 - the browser tests' fixtures
    browser,
    demo,
    demo_copy,
    open_page,
    sync_orm_beside_playwright,
)
from vigil.core.tests.conftest import pytest_runtest_makereport  # noqa: F401
from vigil.core.tests.live_site import (  # noqa: F401 - the fault tests' fixtures
    live_site,
    mailbox,
    site_template,
)

LINK = re.compile(r'href="(https?://[^"]+)"')


@dataclass
class Inbox:
    """Messages received by the test SMTP server, parsed, in arrival order.

    Reading them first runs the outbox's sender once, as the server's outbox loop would
    have by then: requests only queue their mail (services/outbox.py).
    """

    received: list = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    # Refuse DATA with this reply once `accept_count` messages have been taken.
    fail_after: int | None = None
    accepted: int = 0
    # Recipients the server refuses with a permanent error.
    refuse: set = field(default_factory=set)

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: N802
        if address in self.refuse:
            return "550 No such user here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's name
        with self.lock:
            if self.fail_after is not None and self.accepted >= self.fail_after:
                return "421 Service not available, closing channel"
            self.accepted += 1
            message = email.message_from_bytes(envelope.content, policy=email.policy.default)
            message.envelope_to = list(envelope.rcpt_tos)
            self.received.append(message)
        return "250 OK"

    @property
    def messages(self) -> list:
        outbox_send()
        with self.lock:
            return list(self.received)

    def to(self, address: str) -> list:
        return [m for m in self.messages if address in m.envelope_to]

    def clear(self):
        outbox_send()
        with self.lock:
            self.received.clear()


@dataclass
class _Handler:
    """What aiosmtpd calls, in its own thread: the Inbox's handlers, not its properties."""

    inbox: Inbox

    async def handle_RCPT(self, *args):  # noqa: N802 - aiosmtpd's name
        return await self.inbox.handle_RCPT(*args)

    async def handle_DATA(self, *args):  # noqa: N802 - aiosmtpd's name
        return await self.inbox.handle_DATA(*args)


def message_html(message) -> str:
    return message.get_body(preferencelist=("html",)).get_content()


def message_text(message) -> str:
    return message.get_body(preferencelist=("plain",)).get_content()


def message_links(message) -> list[str]:
    return LINK.findall(message_html(message))


def link_path(url: str) -> str:
    """The path of an absolute link, for the test client."""
    return "/" + url.split("://", 1)[1].split("/", 1)[1]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def smtp(settings):
    """A real SMTP server on loopback; Django's SMTP backend sends to it."""
    inbox = Inbox()
    port = _free_port()
    controller = Controller(_Handler(inbox), hostname="127.0.0.1", port=port)
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = port
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = ""
    settings.EMAIL_HOST_PASSWORD = ""
    inbox.port = port
    try:
        yield inbox
    finally:
        controller.stop()


@pytest.fixture
def no_smtp(settings):
    """Mail configured to a port where nothing listens: every send fails."""
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = _free_port()
    settings.EMAIL_TIMEOUT = 2


@pytest.fixture
def fast_forms(settings):
    """Forms may be sent back at once (the minimum-time trap has its own tests)."""
    settings.ACTIONS_FORM_MIN_SECONDS = 0


@pytest.fixture
def petition(home):
    return PetitionPageFactory(parent=home)


@pytest.fixture(autouse=True)
def fresh_rate_limits():
    """The cache (purge stamp) starts empty; rate counters live in the
    database and go with each test's transaction."""
    cache.clear()
    yield
    cache.clear()
