"""Mail in HTTP tests: a real SMTP server on loopback for the session, and an outbox worker
delivering to it for the length of a test (conftest.py makes the fixtures available)."""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass

import pytest

from grocery.adapters.mail.smtp import SmtpMailer, SmtpServer
from grocery.config import Settings
from grocery.entrypoints.wiring import Adapters
from grocery.entrypoints.worker import mail_delivery, outbox_worker
from tests.integration.smtp_server import Received, SmtpTestServer, running_smtp_server

POLL = 0.05


@dataclass(frozen=True)
class Mailroom:
    server: SmtpTestServer
    public_url: str

    async def wait_for(self, address: str, count: int = 1) -> list[Received]:
        """At least `count` messages to `address`, waiting for the worker to send them."""
        return await asyncio.to_thread(self.server.inbox.wait_for, count, address)

    def to(self, address: str) -> list[Received]:
        return self.server.inbox.to(address)

    async def exactly(self, address: str, count: int, *, after: float = 1.0) -> list[Received]:
        """What `address` got, asserting it is `count` messages and stays so for `after`
        seconds (the worker polls far faster)."""
        await asyncio.sleep(after)
        got = self.to(address)
        assert len(got) == count, f"{len(got)} messages for {address}, not {count}"
        return got

    def token(self, received: Received, path: str) -> str:
        """The token of the `<public url><path>?token=...` link, the same in both parts."""
        pattern = re.escape(f"{self.public_url}{path}?token=") + r"([A-Za-z0-9_\-]+)"
        [in_text] = set(re.findall(pattern, received.part("text/plain")))
        [in_html] = set(re.findall(pattern, received.part("text/html")))
        assert in_text == in_html
        return in_text


@pytest.fixture(scope="session")
def smtp_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SmtpTestServer]:
    with running_smtp_server(tmp_path_factory.mktemp("smtp")) as server:
        yield server


@pytest.fixture
async def mailroom(
    smtp_server: SmtpTestServer, settings: Settings, adapters: Adapters
) -> AsyncIterator[Mailroom]:
    mailer = SmtpMailer(SmtpServer.from_url(smtp_server.url()), sender=settings.mail_from)
    async with outbox_worker(
        adapters.database,
        adapters.clock,
        mail=mail_delivery(settings, mailer),
        poll_seconds=POLL,
    ):
        yield Mailroom(smtp_server, settings.public_url)
