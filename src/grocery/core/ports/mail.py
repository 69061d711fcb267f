"""Mail: wording a letter, and sending the mail."""

from __future__ import annotations

from typing import Protocol
from uuid import UUID

from grocery.core.mail import Letter, Mail
from grocery.core.ports.accounts import UserRepository
from grocery.core.ports.outbox import Outbox


class MailWriter(Protocol):
    def write(self, letter: Letter, *, mail_id: UUID) -> Mail:
        """Word `letter` (subject, plain text, HTML) as the mail with id `mail_id`."""
        ...


class Mailer(Protocol):
    async def send(self, mail: Mail) -> None:
        """Hand `mail` to the mail server.

        Raises ServiceUnavailable when it may go through later (server unreachable, dropped
        connection, a temporary refusal) and Undeliverable when it never will.
        """
        ...


class CustomerMailWork(Protocol):
    """Where a use case finds a customer to mail, and writes the mail, in its transaction."""

    users: UserRepository
    outbox: Outbox
