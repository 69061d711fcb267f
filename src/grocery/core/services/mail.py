"""Customers' mail: each letter waits in the outbox with what caused it; the courier words it
and hands it to the mailer."""

from __future__ import annotations

from grocery.core.mail import letter_from
from grocery.core.outbox import OutboxMessage
from grocery.core.ports.mail import Mailer, MailWriter


class MailDelivery:
    """Delivers the outbox's letters: worded by the writer, sent by the mailer, the outbox
    message's id as the mail's, so every attempt carries the same Message-ID."""

    def __init__(self, writer: MailWriter, mailer: Mailer) -> None:
        self._writer = writer
        self._mailer = mailer

    async def deliver(self, message: OutboxMessage) -> None:
        await self._mailer.send(
            self._writer.write(letter_from(message.payload), mail_id=message.id)
        )
