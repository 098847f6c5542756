"""A real SMTP server on loopback (aiosmtpd), on a free port, for every e-mail the portal sends
(Mijn DUO activation codes, the weekly digest); Django's SMTP backend sends to it. The fixtures
``smtp_server`` and ``closed_smtp_port`` are offered to every test by tests/conftest.py."""

import email
import email.policy
import socket

import pytest
from aiosmtpd.controller import Controller


class Inbox:
    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's hook name
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        self.messages.append({"to": envelope.rcpt_tos, "from": envelope.mail_from, "message": message})
        return "250 Message accepted for delivery"

    def bodies(self):
        """The plain-text body of each message (its text/plain part when it has alternatives)."""
        return [self.part(m, "plain") for m in self.messages]

    def html(self):
        """The text/html part of each message ("" when it has none)."""
        return [self.part(m, "html") for m in self.messages]

    @staticmethod
    def part(entry, subtype: str) -> str:
        message = entry["message"]
        if not message.is_multipart():
            return message.get_content() if message.get_content_subtype() == subtype else ""
        found = message.get_body(preferencelist=(subtype,))
        return found.get_content() if found is not None else ""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def smtp_server(settings):
    """Starts aiosmtpd on 127.0.0.1:<free port>; Django's SMTP backend is pointed at it."""
    inbox = Inbox()
    port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = port
    settings.EMAIL_HOST_USER = ""
    settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_USE_SSL = False
    inbox.port = port
    try:
        yield inbox
    finally:
        controller.stop()


@pytest.fixture
def closed_smtp_port(settings):
    """An SMTP setting that points at a port nobody listens on: sending fails."""
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = free_port()
    settings.EMAIL_TIMEOUT = 2
