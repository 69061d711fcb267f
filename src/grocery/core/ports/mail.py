"""Mail: wording a letter, and sending the mail."""

from __future__ import annotations

from typing import Protocol
from uuid import UUID

from grocery.core.mail import Letter, Mail


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
