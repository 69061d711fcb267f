"""Mail through the outbox on PostgreSQL to a real SMTP server on loopback: a `grocery worker`
process killed between handing a mail over and marking it sends that mail again under the
same Message-ID, and nothing else twice; a server that is down or refuses for good."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from uuid import uuid4

import pytest
from sqlalchemy import text

from grocery.adapters.mail.smtp import SmtpMailer, SmtpServer
from grocery.adapters.sql.uow import SqlUnitOfWork
from grocery.config import Settings
from grocery.core.mail import Letter, MailKind, mail_message
from grocery.core.outbox import OutboxMessage
from grocery.entrypoints.wiring import Adapters
from grocery.entrypoints.worker import mail_delivery, outbox_worker
from tests.integration.smtp_server import SmtpTestServer, running_smtp_server

POLL = 0.05


@pytest.fixture(scope="module")
def smtp(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SmtpTestServer]:
    with running_smtp_server(tmp_path_factory.mktemp("smtp")) as server:
        yield server


@pytest.fixture
async def quiet_outbox(adapters: Adapters) -> None:
    # Mail other tests left queued would only crowd this test's server.
    async with adapters.database.engine.begin() as connection:
        await connection.execute(
            text("UPDATE outbox SET delivered_at = now() WHERE delivered_at IS NULL")
        )


async def post(adapters: Adapters, *names: str) -> list[tuple[str, OutboxMessage]]:
    """A password-reset letter to each (fresh) name, written to the outbox; (address, message)."""
    posted = []
    async with SqlUnitOfWork(adapters.database) as uow:
        for name in names:
            address = f"{name}-{uuid4().hex[:8]}@example.com"
            letter = Letter(
                kind=MailKind.PASSWORD_RESET, to=address, to_name=name, facts={"token": name}
            )
            message = mail_message(letter, adapters.clock.now())
            await uow.outbox.add(message)
            posted.append((address, message))
        await uow.commit()
    return posted


@contextmanager
def worker_process(
    settings: Settings, smtp: SmtpTestServer, scratch: Path
) -> Iterator[subprocess.Popen[bytes]]:
    environment = {key: value for key, value in os.environ.items() if "GROCERY" not in key}
    environment.update(
        GROCERY_ENV="test",
        GROCERY_DATABASE_URL=str(settings.database_url),
        GROCERY_SECRET_KEY=settings.secret_key,
        GROCERY_STORAGE_URL="memory://",
        GROCERY_DATA_DIR=str(scratch),
        GROCERY_SMTP_URL=smtp.url(),
        GROCERY_MAIL_FROM="Corner Grocery <shop@corner.example>",
        GROCERY_LOG_LEVEL="warning",
    )
    process = subprocess.Popen(
        [sys.executable, "-m", "grocery.entrypoints.cli", "worker"],
        cwd=scratch,
        env=environment,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        yield process
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            process.wait(timeout=30)


async def test_a_worker_killed_between_send_and_mark_resends_only_that_mail_with_its_message_id(
    settings: Settings,
    adapters: Adapters,
    smtp: SmtpTestServer,
    quiet_outbox: None,
    tmp_path: Path,
) -> None:
    posted = await post(adapters, "ann", "bob", "cem")
    addresses = [address for address, _ in posted]
    smtp.inbox.holding.set()
    try:
        with worker_process(settings, smtp, tmp_path) as doomed:
            [held] = await asyncio.to_thread(smtp.inbox.wait_for, 1, *addresses, timeout=60)
            doomed.send_signal(signal.SIGKILL)  # after the server has the mail, before its mark
            doomed.wait(timeout=30)
    finally:
        smtp.inbox.holding.clear()

    with worker_process(settings, smtp, tmp_path):
        await asyncio.to_thread(smtp.inbox.wait_for, 4, *addresses, timeout=60)
        await asyncio.sleep(1.0)  # time enough for anything sent twice to show
        arrived = smtp.inbox.to(*addresses)

    message_ids = [got.message["Message-ID"] for got in arrived]
    assert len(arrived) == 4
    assert message_ids.count(held.message["Message-ID"]) == 2  # the one in flight, again
    expected = {f"<{message.id}@corner.example>" for _, message in posted}
    assert set(message_ids) == expected  # every mail, each under its outbox id
    again = [got for got in arrived if got.message["Message-ID"] == held.message["Message-ID"]]
    assert again[0].part("text/plain") == again[1].part("text/plain")


async def test_a_refused_mail_is_given_up_and_a_deferred_one_waits(
    settings: Settings, adapters: Adapters, smtp: SmtpTestServer, quiet_outbox: None
) -> None:
    mailer = SmtpMailer(SmtpServer.from_url(smtp.url()), sender="shop@corner.example")
    [(address, message)] = await post(adapters, "dan")
    smtp.inbox.refuse_rcpt = "550 5.1.1 no such mailbox"
    try:
        async with outbox_worker(
            adapters.database,
            adapters.clock,
            mail=mail_delivery(settings, mailer),
            poll_seconds=POLL,
        ):
            row = await wait_for_row(adapters, message, "given_up_at IS NOT NULL")
    finally:
        smtp.inbox.refuse_rcpt = None
    assert row["attempts"] == 1 and "550" in row["last_error"]
    assert smtp.inbox.to(address) == []

    [(address, message)] = await post(adapters, "eve")
    smtp.inbox.refuse_data = "451 4.3.0 try again later"
    try:
        async with outbox_worker(
            adapters.database,
            adapters.clock,
            mail=mail_delivery(settings, mailer),
            poll_seconds=POLL,
        ):
            row = await wait_for_row(adapters, message, "attempts > 0")
    finally:
        smtp.inbox.refuse_data = None
    assert row["delivered_at"] is None and row["given_up_at"] is None
    assert row["next_attempt_at"] > row["created_at"]
    assert "451" in row["last_error"]


async def wait_for_row(adapters: Adapters, message: OutboxMessage, condition: str) -> dict:  # type: ignore[type-arg]
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        async with adapters.database.connect() as connection:
            found = await connection.execute(
                text(f"SELECT * FROM outbox WHERE id = :id AND {condition}"),
                {"id": message.id},
            )
            row = found.mappings().first()
        if row is not None:
            return dict(row)
        await asyncio.sleep(POLL)
    raise AssertionError(f"outbox message {message.id} never met {condition}")
