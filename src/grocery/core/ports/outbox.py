"""The outbox: messages written with what caused them, delivered later."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime
from typing import Protocol
from uuid import UUID

from grocery.core.outbox import OutboxMessage
from grocery.core.ports.transaction import Transaction


class Outbox(Protocol):
    async def add(self, message: OutboxMessage) -> None: ...

    async def claim_due(
        self, now: datetime, limit: int, *, kinds: Collection[str]
    ) -> list[OutboxMessage]:
        """Messages of those kinds neither delivered nor given up, due by `now`, soonest
        first, locked until the transaction ends; messages another worker holds are
        skipped, not waited for."""
        ...

    async def delivered(self, message_id: UUID, at: datetime) -> None: ...

    async def retry_later(self, message_id: UUID, *, at: datetime, error: str) -> None:
        """Count a failed attempt and set when to try again."""
        ...

    async def given_up(self, message_id: UUID, *, at: datetime, error: str) -> None:
        """Count a failed attempt that can never succeed: the message is never tried again."""
        ...


class OutboxWork(Transaction, Protocol):
    """What delivering the outbox's messages works with."""

    outbox: Outbox


class Delivery(Protocol):
    """Delivers one kind of outbox message."""

    async def deliver(self, message: OutboxMessage) -> None:
        """ServiceUnavailable: not now, try again later. Undeliverable: never."""
        ...
