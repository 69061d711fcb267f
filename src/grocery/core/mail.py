"""Mail to customers: what each message says, as facts; templates word it, a mailer sends it.

A `Letter` is written into the outbox in the same transaction as what caused it, as plain
JSON-ready facts. The worker turns it into a `Mail` (subject, plain text, HTML) and hands
that to the mailer. A Mail keeps the id of its outbox message, so its Message-ID is the
same however often a crash makes the worker send it again, and the receiving side can
drop the copy.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from email.utils import parseaddr
from enum import StrEnum
from typing import Any
from uuid import UUID

from grocery.core.ids import new_id
from grocery.core.outbox import OutboxMessage

MAIL = "mail"  # the outbox's kind for a customer's mail


class MailKind(StrEnum):
    VERIFY_EMAIL = "verify_email"
    PASSWORD_RESET = "password_reset"  # noqa: S105 - a kind of letter, not a password
    ORDER_PLACED = "order_placed"
    ORDER_PICKED = "order_picked"  # picking changed it: substitutes, short items, weights
    ORDER_SHIPPED = "order_shipped"
    ORDER_READY_FOR_COLLECTION = "order_ready_for_collection"
    ORDER_CANCELLED = "order_cancelled"
    ORDER_REFUNDED = "order_refunded"
    BACK_IN_STOCK = "back_in_stock"


@dataclass(frozen=True, kw_only=True, slots=True)
class Letter:
    """What one mail is to say: its kind, whom to, and the facts its templates word.

    `facts` is JSON-ready (strings, numbers, lists, mappings): it waits in the outbox.
    """

    kind: MailKind
    to: str
    to_name: str
    facts: Mapping[str, Any]


def mail_message(letter: Letter, now: datetime) -> OutboxMessage:
    """The outbox message that mails `letter`; its id becomes the mail's Message-ID."""
    message_id = new_id()
    payload = {
        "kind": letter.kind.value,
        "to": letter.to,
        "to_name": letter.to_name,
        "facts": dict(letter.facts),
    }
    return OutboxMessage(
        id=message_id,
        kind=MAIL,
        payload=payload,
        idempotency_key=str(message_id),
        created_at=now,
        next_attempt_at=now,
    )


def letter_from(payload: Mapping[str, Any]) -> Letter:
    """The letter an outbox message of kind MAIL carries."""
    return Letter(
        kind=MailKind(payload["kind"]),
        to=payload["to"],
        to_name=payload["to_name"],
        facts=payload["facts"],
    )


@dataclass(frozen=True, kw_only=True, slots=True)
class Mail:
    """A message worded and ready to send."""

    id: UUID  # its outbox message's id: the same on every attempt
    to: str
    to_name: str
    subject: str
    text: str
    html: str

    def message_id(self, domain: str) -> str:
        """The Message-ID header: stable, so a copy sent again after a crash is known as one."""
        return f"<{self.id}@{domain}>"


def header_text(value: str) -> str:
    """`value` on one line: line breaks and runs of spaces become one space.

    Anything a customer or a manager typed (a name, a product) may end up in a subject or a
    display name; a line break there must never start a header of its own.
    """
    return " ".join(value.split())


def sender_domain(sender: str) -> str:
    """The domain of the From address (`Shop <shop@example.com>`): Message-IDs are minted under it."""
    return parseaddr(sender)[1].rpartition("@")[2]
