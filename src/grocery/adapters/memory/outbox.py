"""The outbox in memory."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field, replace
from datetime import datetime
from uuid import UUID

from grocery.core.outbox import OutboxMessage


@dataclass
class OutboxTables:
    messages: dict[UUID, OutboxMessage] = field(default_factory=dict)
    delivered: dict[UUID, datetime] = field(default_factory=dict)  # message -> when
    given_up: dict[UUID, datetime] = field(default_factory=dict)
    last_errors: dict[UUID, str] = field(default_factory=dict)


class MemoryOutbox:
    def __init__(self, tables: OutboxTables) -> None:
        self._tables = tables

    async def add(self, message: OutboxMessage) -> None:
        self._tables.messages[message.id] = message

    async def claim_due(
        self, now: datetime, limit: int, *, kinds: Collection[str]
    ) -> list[OutboxMessage]:
        done = self._tables.delivered.keys() | self._tables.given_up.keys()
        due = [
            message
            for message in self._tables.messages.values()
            if message.id not in done and message.next_attempt_at <= now and message.kind in kinds
        ]
        return sorted(due, key=lambda message: message.next_attempt_at)[:limit]

    async def delivered(self, message_id: UUID, at: datetime) -> None:
        self._count_attempt(message_id)
        self._tables.delivered[message_id] = at

    async def retry_later(self, message_id: UUID, *, at: datetime, error: str) -> None:
        message = self._count_attempt(message_id)
        self._tables.messages[message_id] = replace(message, next_attempt_at=at)
        self._tables.last_errors[message_id] = error

    async def given_up(self, message_id: UUID, *, at: datetime, error: str) -> None:
        self._count_attempt(message_id)
        self._tables.given_up[message_id] = at
        self._tables.last_errors[message_id] = error

    def _count_attempt(self, message_id: UUID) -> OutboxMessage:
        message = self._tables.messages[message_id]
        counted = replace(message, attempts=message.attempts + 1)
        self._tables.messages[message_id] = counted
        return counted
