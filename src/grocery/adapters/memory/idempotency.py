"""Idempotency keys of checkouts in memory."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from uuid import UUID

from grocery.core.orders import Answer, KeptAnswer


@dataclass
class IdempotencyTables:
    keys: dict[tuple[UUID, str], tuple[str, Answer]] = field(default_factory=dict)


class MemoryIdempotencyKeyRepository:
    def __init__(self, tables: IdempotencyTables) -> None:
        self._keys = tables.keys
        self._pending: dict[tuple[UUID, str], str] = {}

    async def claim(
        self, user_id: UUID, key: str, request_hash: str, at: datetime
    ) -> KeptAnswer | None:
        kept = self._keys.get((user_id, key))
        if kept is None:
            self._pending[user_id, key] = request_hash
            return None
        return KeptAnswer(request_hash=kept[0], answer=kept[1])

    async def answer(self, user_id: UUID, key: str, answer: Answer, order_id: UUID) -> None:
        self._keys[user_id, key] = (self._pending.pop((user_id, key)), answer)
