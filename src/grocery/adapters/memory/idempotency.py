"""Idempotency keys of checkouts in memory."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from uuid import UUID

from grocery.core.orders import Answer, KeptAnswer


@dataclass
class IdempotencyTables:
    # A key claimed and not yet answered is kept with no answer, as SQL's row is.
    keys: dict[tuple[UUID, str], tuple[str, Answer | None]] = field(default_factory=dict)


class MemoryIdempotencyKeyRepository:
    def __init__(self, tables: IdempotencyTables) -> None:
        self._keys = tables.keys

    async def claim(
        self, user_id: UUID, key: str, request_hash: str, at: datetime
    ) -> KeptAnswer | None:
        kept = self._keys.get((user_id, key))
        if kept is None:
            self._keys[user_id, key] = (request_hash, None)
            return None
        return KeptAnswer(request_hash=kept[0], answer=kept[1])

    async def answer(self, user_id: UUID, key: str, answer: Answer, order_id: UUID) -> None:
        request_hash, _ = self._keys[user_id, key]
        self._keys[user_id, key] = (request_hash, answer)

    async def release(self, user_id: UUID, key: str) -> None:
        self._keys.pop((user_id, key), None)
