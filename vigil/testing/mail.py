"""The SMTP sink: a real SMTP server (aiosmtpd) on loopback, and helpers to read its mail.

One `Mailbox` serves the fault tests' and journeys' production servers, the in-process
tests (through `inbox.Inbox`) and the benches. Imported by benches too, so it does not
need Django set up in this process.
"""

import asyncio
import contextlib
import email
import email.policy
import re
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field

from aiosmtpd.controller import Controller

from vigil.testing.servers import free_port

LINK = re.compile(r'href="(https?://[^"]+)"')
CONFIRM_LINK = re.compile(r"https?://[^\s\"'<>]+/act/signature/confirm/[^/\s\"'<>]+/")


@dataclass
class Mailbox:
    """aiosmtpd handler keeping every accepted message, parsed, as (recipients, message).

    Each message also carries its recipients as `message.envelope_to`. `delay` slows each
    message down; `refuse` names recipients refused with a permanent error; once
    `fail_after` messages have been accepted, the rest are refused for now (421).
    """

    delay: float = 0.0
    refuse: set = field(default_factory=set)
    fail_after: int | None = None
    accepted: int = 0
    messages: list = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    port: int | None = None

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: N802 - aiosmtpd's name
        if address in self.refuse:
            return "550 No such user here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's name
        if self.delay:
            await asyncio.sleep(self.delay)
        message = email.message_from_bytes(envelope.original_content, policy=email.policy.default)
        message.envelope_to = list(envelope.rcpt_tos)
        with self.lock:
            if self.fail_after is not None and self.accepted >= self.fail_after:
                return "421 Service not available, closing channel"
            self.accepted += 1
            self.messages.append((list(envelope.rcpt_tos), message))
        return "250 OK"

    def count(self) -> int:
        with self.lock:
            return len(self.messages)

    def to(self, address: str) -> list:
        with self.lock:
            return [m for rcpt, m in self.messages if address in rcpt]

    def all(self) -> list:
        with self.lock:
            return list(self.messages)

    def clear(self) -> None:
        with self.lock:
            self.messages.clear()


@contextlib.contextmanager
def smtp_server(mailbox: Mailbox, port: int | None = None) -> Iterator[int]:
    """Serve `mailbox` on a loopback port (a free one unless given), kept in `mailbox.port`."""
    port = port or free_port()
    controller = Controller(mailbox, hostname="127.0.0.1", port=port)
    controller.start()
    mailbox.port = port
    try:
        yield port
    finally:
        controller.stop()


@contextlib.contextmanager
def mailbox_serving(**options) -> Iterator[Mailbox]:
    """A new Mailbox (with `options`), served on a free port while the block runs."""
    mailbox = Mailbox(**options)
    with smtp_server(mailbox):
        yield mailbox


def message_text(message) -> str:
    """The plain-text part of a message ("" without one)."""
    part = message.get_body(preferencelist=("plain",))
    return part.get_content() if part is not None else ""


def message_html(message) -> str:
    return message.get_body(preferencelist=("html",)).get_content()


def message_links(message) -> list[str]:
    """Every link of the message's HTML part, in order."""
    return LINK.findall(message_html(message))


def link_path(url: str) -> str:
    """The path of an absolute link, for the test client."""
    return "/" + url.split("://", 1)[1].split("/", 1)[1]


def confirm_links(message) -> list[str]:
    """The signature confirmation links in the message's text."""
    return CONFIRM_LINK.findall(message_text(message))


def confirm_link(message) -> str | None:
    """The first signature confirmation link in the message's text, or None."""
    links = confirm_links(message)
    return links[0] if links else None
