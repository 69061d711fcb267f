"""The SMTP mailer against a real SMTP server on loopback: plain, STARTTLS and TLS, logins,
refusals and dropped connections, and names that try to smuggle in a header."""

from __future__ import annotations

import asyncio
import ssl
from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path
from uuid import uuid4

import pytest

from grocery.adapters.mail.smtp import SmtpMailer, SmtpServer
from grocery.adapters.mail.templates import MailTemplates
from grocery.core.errors import ServiceUnavailable
from grocery.core.mail import Letter, Mail, MailKind
from grocery.core.outbox import Undeliverable
from tests.integration.smtp_server import (
    LOOPBACK,
    USERNAME,
    SmtpTestServer,
    free_port,
    running_smtp_server,
)

SENDER = "Corner Grocery <shop@corner.example>"
TOKEN = "tok_3v1Lr-Zq"
CREDENTIALS = "shop:p%40ss%20w%3Ard@"  # USERNAME and PASSWORD, percent-encoded


def reset_mail(to_name: str = "ann") -> Mail:
    templates = MailTemplates(store_name="Corner Grocery", public_url="https://corner.example")
    letter = Letter(
        kind=MailKind.PASSWORD_RESET, to="ann@example.com", to_name=to_name, facts={"token": TOKEN}
    )
    return templates.write(letter, mail_id=uuid4())


def mailer(server: SmtpTestServer, scheme: str = "smtp", credentials: str = "") -> SmtpMailer:
    return SmtpMailer(
        SmtpServer.from_url(server.url(scheme, credentials=credentials)),
        sender=SENDER,
        tls_context=server.client_tls,
        timeout=5.0,
    )


@pytest.fixture(scope="module")
def plain(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SmtpTestServer]:
    with running_smtp_server(tmp_path_factory.mktemp("smtp")) as server:
        yield server


@pytest.fixture(scope="module")
def starttls(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SmtpTestServer]:
    with running_smtp_server(
        tmp_path_factory.mktemp("smtp"), tls="starttls", require_login=True
    ) as server:
        yield server


@pytest.fixture(autouse=True)
def fresh_inboxes(request: pytest.FixtureRequest) -> None:
    for name in ("plain", "starttls"):
        if name in request.fixturenames:
            server = request.getfixturevalue(name)
            server.inbox.received.clear()
            server.inbox.refuse_rcpt = server.inbox.refuse_data = None


async def test_plain_smtp_delivers_both_parts_with_a_stable_message_id(
    plain: SmtpTestServer,
) -> None:
    mail = reset_mail()

    await mailer(plain).send(mail)

    [got] = plain.inbox.wait_for(1)
    link = f"https://corner.example/reset-password?token={TOKEN}"
    assert got.mail_from == "shop@corner.example" and got.rcpt_tos == ["ann@example.com"]
    assert not got.over_tls and got.login is None
    headers = got.message
    assert headers["From"] == SENDER
    assert headers["To"] == "ann <ann@example.com>"
    assert headers["Subject"] == "Reset your Corner Grocery password"
    assert headers["Message-ID"] == f"<{mail.id}@corner.example>"
    assert headers["Date"] and headers["Auto-Submitted"] == "auto-generated"
    assert headers.get_content_type() == "multipart/alternative"
    assert link in got.part("text/plain")
    assert f'href="{link}"' in got.part("text/html")


async def test_the_same_mail_sent_again_keeps_its_message_id(plain: SmtpTestServer) -> None:
    mail = reset_mail()

    await mailer(plain).send(mail)
    await mailer(plain).send(mail)

    first, second = plain.inbox.wait_for(2)
    assert (
        first.message["Message-ID"] == second.message["Message-ID"] == f"<{mail.id}@corner.example>"
    )


async def test_starttls_with_a_login_carries_the_mail_over_tls(starttls: SmtpTestServer) -> None:
    await mailer(starttls, "smtp+starttls", CREDENTIALS).send(reset_mail())

    [got] = starttls.inbox.wait_for(1)
    assert got.over_tls
    assert got.login == USERNAME
    assert TOKEN in got.part("text/plain")


async def test_a_wrong_password_is_retried_later_not_dropped(starttls: SmtpTestServer) -> None:
    with pytest.raises(ServiceUnavailable):
        await mailer(starttls, "smtp+starttls", "shop:wrong@").send(reset_mail())
    assert starttls.inbox.received == []


async def test_a_certificate_nobody_trusts_is_refused(starttls: SmtpTestServer) -> None:
    untrusting = SmtpMailer(
        SmtpServer.from_url(starttls.url("smtp+starttls", credentials=CREDENTIALS)),
        sender=SENDER,
        tls_context=ssl.create_default_context(),  # the system's CAs only
        timeout=5.0,
    )
    with pytest.raises(ServiceUnavailable):
        await untrusting.send(reset_mail())
    assert starttls.inbox.received == []


async def test_plain_smtp_never_sends_where_the_server_demands_tls(
    starttls: SmtpTestServer,
) -> None:
    with pytest.raises(ServiceUnavailable):
        await mailer(starttls, "smtp", CREDENTIALS).send(reset_mail())
    assert starttls.inbox.received == []


async def test_smtps_speaks_tls_from_the_first_byte(tmp_path: Path) -> None:
    with running_smtp_server(tmp_path, tls="implicit") as server:
        await mailer(server, "smtps").send(reset_mail())

        [got] = server.inbox.wait_for(1)
    assert got.over_tls


async def test_a_server_that_refuses_the_connection_leaves_it_for_later() -> None:
    nobody = SmtpMailer(
        SmtpServer.from_url(f"smtp://{LOOPBACK}:{free_port()}"), sender=SENDER, timeout=5.0
    )
    with pytest.raises(ServiceUnavailable):
        await nobody.send(reset_mail())


Conversation = Callable[[asyncio.StreamReader, asyncio.StreamWriter], Awaitable[None]]


async def send_to_a_server_that(converses: Conversation) -> None:
    """Send a mail to a loopback server that talks as `converses` says, then hangs up."""
    listener = await asyncio.start_server(converses, LOOPBACK, 0)
    port = listener.sockets[0].getsockname()[1]
    try:
        mailer = SmtpMailer(
            SmtpServer.from_url(f"smtp://{LOOPBACK}:{port}"), sender=SENDER, timeout=5.0
        )
        await mailer.send(reset_mail())
    finally:
        listener.close()
        await listener.wait_closed()


async def test_a_server_that_drops_the_connection_leaves_it_for_later() -> None:
    async def hang_up(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        writer.close()

    with pytest.raises(ServiceUnavailable):
        await send_to_a_server_that(hang_up)


async def test_a_server_that_drops_mid_conversation_leaves_it_for_later() -> None:
    async def greet_then_hang_up(
        reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> None:
        writer.write(b"220 mail.test ESMTP\r\n")
        await writer.drain()
        await reader.readline()  # EHLO
        writer.close()

    with pytest.raises(ServiceUnavailable):
        await send_to_a_server_that(greet_then_hang_up)


async def test_a_temporary_refusal_is_retried_later(plain: SmtpTestServer) -> None:
    plain.inbox.refuse_data = "451 4.3.0 try again later"
    with pytest.raises(ServiceUnavailable):
        await mailer(plain).send(reset_mail())


@pytest.mark.parametrize(
    ("refusal", "where"),
    [("550 5.1.1 no such mailbox", "refuse_rcpt"), ("554 5.7.1 message refused", "refuse_data")],
)
async def test_a_final_refusal_is_undeliverable(
    plain: SmtpTestServer, refusal: str, where: str
) -> None:
    setattr(plain.inbox, where, refusal)
    with pytest.raises(Undeliverable):
        await mailer(plain).send(reset_mail())


async def test_a_line_break_in_a_name_never_adds_a_header(plain: SmtpTestServer) -> None:
    sneaky = "ann\r\nBcc: thief@evil.example\r\nX-Injected: yes"

    await mailer(plain).send(reset_mail(to_name=sneaky))

    [got] = plain.inbox.wait_for(1)
    assert got.rcpt_tos == ["ann@example.com"]
    assert got.message["Bcc"] is None and got.message["X-Injected"] is None
    header_block = got.raw.split(b"\r\n\r\n", 1)[0]
    assert b"\r\nBcc:" not in header_block and b"\r\nX-Injected:" not in header_block
    assert got.message["To"].addresses[0].addr_spec == "ann@example.com"
    assert got.message["To"].addresses[0].display_name == (
        "ann Bcc: thief@evil.example X-Injected: yes"
    )
