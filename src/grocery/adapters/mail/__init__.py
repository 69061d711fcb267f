"""Mail adapters: the SMTP and log mailers, and the templates that word each letter."""

from __future__ import annotations

from grocery.adapters.mail.log import LogMailer
from grocery.adapters.mail.smtp import SmtpMailer, SmtpServer
from grocery.core.mail import sender_domain
from grocery.core.ports.mail import Mailer


def make_mailer(smtp_url: str | None, *, sender: str) -> Mailer:
    """SMTP when a server is named, else the log: a shop without mail still runs (and says so)."""
    if smtp_url is None:
        return LogMailer(domain=sender_domain(sender))
    return SmtpMailer(SmtpServer.from_url(smtp_url), sender=sender)
