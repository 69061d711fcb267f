"""A real SMTP server on loopback for integration tests: aiosmtpd's Controller in its own thread.

It keeps every message it accepts (envelope, parsed message, whether TLS carried it, who
logged in), can require STARTTLS with a self-signed certificate made here with
`cryptography`, can require a login, and can be told to refuse recipients or messages.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import ipaddress
import socket
import ssl
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

LOOPBACK = "127.0.0.1"
USERNAME, PASSWORD = "shop", "p@ss w:rd"  # characters a URL must percent-encode


@dataclass(frozen=True)
class Received:
    mail_from: str
    rcpt_tos: list[str]
    message: EmailMessage
    raw: bytes
    over_tls: bool
    login: str | None

    def part(self, content_type: str) -> str:
        for part in self.message.walk():
            if part.get_content_type() == content_type:
                return str(part.get_content())  # type: ignore[attr-defined]
        raise AssertionError(f"no {content_type} part")


@dataclass
class Inbox:
    """The handler: keeps what it accepts; `refuse_rcpt`/`refuse_data` make it answer a refusal."""

    received: list[Received] = field(default_factory=list)
    refuse_rcpt: str | None = None  # e.g. "550 5.1.1 no such mailbox"
    refuse_data: str | None = None  # e.g. "451 4.3.0 try again later"
    arrived: threading.Condition = field(default_factory=threading.Condition)
    # While set, each message is kept as it arrives but its 250 waits: the sender has
    # handed the message over and not yet heard so (a crash then is one between send and mark).
    holding: threading.Event = field(default_factory=threading.Event)

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, rcpt_options: list[str]
    ) -> str:
        if self.refuse_rcpt:
            return self.refuse_rcpt
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        if self.refuse_data:
            return self.refuse_data
        raw = bytes(envelope.original_content)
        message = message_from_bytes(raw, policy=policy.default)
        login = session.auth_data.login.decode() if session.authenticated else None
        with self.arrived:
            self.received.append(
                Received(
                    mail_from=envelope.mail_from,
                    rcpt_tos=list(envelope.rcpt_tos),
                    message=message,  # type: ignore[arg-type] - policy.default parses to EmailMessage
                    raw=raw,
                    over_tls=server.transport.get_extra_info("ssl_object") is not None,
                    login=login,
                )
            )
            self.arrived.notify_all()
        while self.holding.is_set():  # noqa: ASYNC110 - cleared from the test's thread
            await asyncio.sleep(0.02)
        return "250 OK"

    def to(self, *recipients: str) -> list[Received]:
        """What arrived for any of those recipients (all of it, naming none), in order."""
        with self.arrived:
            return [
                got
                for got in self.received
                if not recipients or set(got.rcpt_tos) & set(recipients)
            ]

    def wait_for(self, count: int, *recipients: str, timeout: float = 30.0) -> list[Received]:
        """At least `count` messages (for those recipients), waiting for them to arrive."""
        with self.arrived:
            if not self.arrived.wait_for(lambda: len(self.to(*recipients)) >= count, timeout):
                raise AssertionError(f"{len(self.to(*recipients))} messages arrived, not {count}")
            return self.to(*recipients)


@dataclass(frozen=True)
class SmtpTestServer:
    inbox: Inbox
    port: int
    client_tls: ssl.SSLContext | None  # trusts the server's self-signed certificate

    def url(self, scheme: str = "smtp", *, credentials: str = "") -> str:
        return f"{scheme}://{credentials}{LOOPBACK}:{self.port}"


def _authenticate(
    server: Any, session: Any, envelope: Any, mechanism: str, auth_data: Any
) -> AuthResult:
    ok = isinstance(auth_data, LoginPassword) and (auth_data.login, auth_data.password) == (
        USERNAME.encode(),
        PASSWORD.encode(),
    )
    # handled=False: aiosmtpd answers a refusal (535) itself.
    return AuthResult(success=ok, handled=False, auth_data=auth_data if ok else None)


@contextmanager
def running_smtp_server(
    tmp_path: Path, *, tls: str | None = None, require_login: bool = False
) -> Iterator[SmtpTestServer]:
    """tls: None (plain), "starttls" (required before MAIL) or "implicit" (TLS from the start)."""
    inbox = Inbox()
    server_tls = client_tls = None
    if tls is not None:
        server_tls, client_tls = self_signed_contexts(tmp_path)
    options: dict[str, Any] = {}
    if tls == "starttls":
        options.update(tls_context=server_tls, require_starttls=True)
    if tls == "implicit":
        options.update(ssl_context=server_tls)
    if require_login:
        options.update(authenticator=_authenticate, auth_required=True)
    port = free_port()
    controller = Controller(
        inbox, hostname=LOOPBACK, port=port, server_hostname="mail.test", **options
    )
    controller.start()
    try:
        yield SmtpTestServer(inbox, port, client_tls)
    finally:
        controller.stop()


def free_port() -> int:
    """A loopback port nothing listens on (it was free a moment ago)."""
    with socket.socket() as probe:
        probe.bind((LOOPBACK, 0))
        return int(probe.getsockname()[1])


def self_signed_contexts(tmp_path: Path) -> tuple[ssl.SSLContext, ssl.SSLContext]:
    """A fresh certificate for 127.0.0.1: the server's TLS context and a client's that trusts it."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "grocery test mail server")])
    now = dt.datetime.now(dt.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address(LOOPBACK))]),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_pem = certificate.public_bytes(serialization.Encoding.PEM)
    stamp = time.monotonic_ns()
    cert_file, key_file = tmp_path / f"cert-{stamp}.pem", tmp_path / f"key-{stamp}.pem"
    cert_file.write_bytes(cert_pem)
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    server = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server.load_cert_chain(cert_file, key_file)
    client = ssl.create_default_context(cadata=cert_pem.decode())
    return server, client
