"""Customers' mail: each letter waits in the outbox with what caused it; the courier words it
and hands it to the mailer."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from grocery.core.identity import User
from grocery.core.mail import MailKind, letter_from, mail_message
from grocery.core.order_mail import order_letter, refund_letter
from grocery.core.orders import Order
from grocery.core.outbox import OutboxMessage
from grocery.core.ports.mail import CustomerMailWork, Mailer, MailWriter


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


async def mail_about_order(
    uow: CustomerMailWork, kind: MailKind, order: Order, now: datetime
) -> None:
    """Tell the order's customer (unless their account is gone or disabled), in the caller's
    transaction: the mail goes out only if what it tells of commits."""
    for message in order_mail(kind, order, await uow.users.get(order.user_id), now):
        await uow.outbox.add(message)


def order_mail(
    kind: MailKind, order: Order, customer: User | None, now: datetime
) -> list[OutboxMessage]:
    """The outbox message telling the order's customer, for the caller to write; none when
    their account is gone or disabled."""
    if customer is None or not customer.is_active:
        return []
    return [mail_message(order_letter(kind, order, customer), now)]


async def mail_refund(uow: CustomerMailWork, order: Order, amount: Decimal, now: datetime) -> None:
    """Tell the order's customer `amount` was refunded, as mail_about_order tells the rest."""
    customer = await uow.users.get(order.user_id)
    if customer is not None and customer.is_active:
        await uow.outbox.add(mail_message(refund_letter(order, amount, customer), now))
