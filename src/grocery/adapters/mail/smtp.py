"""The Mailer over SMTP (aiosmtplib): one connection per message, TLS as the URL says.

`smtp://` talks plain SMTP (port 25), `smtp+starttls://` upgrades with STARTTLS and refuses
to go on without it (587), `smtps://` speaks TLS from the first byte (465). Credentials in
the URL are used to log in. Certificates are verified.

A refusal the server says is final (a 5xx for the recipient or the message) is
Undeliverable; anything else (no connection, a dropped one, a timeout, a 4xx) is
ServiceUnavailable, and the outbox tries again later.
"""

from __future__ import annotations

import ssl
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.headerregistry import Address
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import format_datetime
from urllib.parse import unquote, urlsplit

import aiosmtplib

from grocery.core.errors import ServiceUnavailable
from grocery.core.mail import Mail, header_text, sender_domain
from grocery.core.outbox import Undeliverable

TIMEOUT_SECONDS = 10.0
_PORTS = {"smtp": 25, "smtp+starttls": 587, "smtps": 465}


@dataclass(frozen=True, kw_only=True, slots=True)
class SmtpServer:
    host: str
    port: int
    use_tls: bool  # TLS from the start (smtps)
    start_tls: bool  # upgrade with STARTTLS, or fail
    username: str | None = None
    password: str | None = field(default=None, repr=False)

    @classmethod
    def from_url(cls, url: str) -> SmtpServer:
        parts = urlsplit(url)
        if parts.scheme not in _PORTS or not parts.hostname:
            raise ValueError(
                "an SMTP URL is smtp://, smtp+starttls:// or smtps://user:pass@host:port"
            )
        return cls(
            host=parts.hostname,
            port=parts.port or _PORTS[parts.scheme],
            use_tls=parts.scheme == "smtps",
            start_tls=parts.scheme == "smtp+starttls",
            username=unquote(parts.username) if parts.username else None,
            password=unquote(parts.password) if parts.password else None,
        )


class SmtpMailer:
    def __init__(
        self,
        server: SmtpServer,
        *,
        sender: str,
        tls_context: ssl.SSLContext | None = None,
        timeout: float = TIMEOUT_SECONDS,
    ) -> None:
        self._server = server
        self._sender = sender
        self._domain = sender_domain(sender)
        self._tls_context = tls_context
        self._timeout = timeout

    async def send(self, mail: Mail) -> None:
        message = mime_message(mail, sender=self._sender, domain=self._domain)
        server = self._server
        try:
            await aiosmtplib.send(
                message,
                hostname=server.host,
                port=server.port,
                username=server.username,
                password=server.password,
                use_tls=server.use_tls,
                # False, not None: plain smtp:// must not upgrade on its own, and then
                # fail on a certificate nobody asked it to check.
                start_tls=server.start_tls,
                tls_context=self._tls_context,
                timeout=self._timeout,
            )
        except aiosmtplib.SMTPRecipientsRefused as refused:
            codes = [recipient.code for recipient in refused.recipients]
            if all(code >= 500 for code in codes):
                raise Undeliverable(f"The mail server refused the recipient ({codes}).") from None
            raise ServiceUnavailable(f"The mail server deferred the recipient ({codes}).") from None
        except aiosmtplib.SMTPDataError as error:
            if error.code >= 500:
                raise Undeliverable(
                    f"The mail server refused the message ({error.code})."
                ) from None
            raise _unavailable(error) from None
        except (aiosmtplib.SMTPException, OSError) as error:  # OSError: refused, reset, TLS
            raise _unavailable(error) from None


def mime_message(mail: Mail, *, sender: str, domain: str) -> EmailMessage:
    """The MIME message: plain text and HTML alternatives.

    The SMTP policy refuses a header value holding CR or LF outright; the names and the
    subject are put on one line first, so a name typed with a line break still goes out.
    """
    message = EmailMessage(policy=SMTP)
    message["From"] = sender
    try:
        message["To"] = Address(display_name=header_text(mail.to_name), addr_spec=mail.to)
    except ValueError as error:  # not an address the email package can write
        raise Undeliverable(f"The recipient's address can't be written ({error}).") from None
    message["Subject"] = header_text(mail.subject)
    message["Date"] = format_datetime(datetime.now(UTC))
    message["Message-ID"] = mail.message_id(domain)
    message["Auto-Submitted"] = "auto-generated"  # RFC 3834: no vacation replies, please
    message.set_content(mail.text)
    message.add_alternative(mail.html, subtype="html")
    return message


def _unavailable(error: Exception) -> ServiceUnavailable:
    code = getattr(error, "code", None)
    said = f" {code}" if isinstance(code, int) else ""
    return ServiceUnavailable(
        f"The mail server could not take the message ({type(error).__name__}{said})."
    )
