"""Idempotency keys of checkouts."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol
from uuid import UUID

from grocery.core.orders import Answer, KeptAnswer


class IdempotencyKeyRepository(Protocol):
    async def claim(
        self, user_id: UUID, key: str, request_hash: str, at: datetime
    ) -> KeptAnswer | None:
        """None when the key is new: it is then held for this request until the transaction
        ends (a concurrent request with it waits). Otherwise the earlier request under it."""
        ...

    async def answer(self, user_id: UUID, key: str, answer: Answer, order_id: UUID) -> None: ...

    async def release(self, user_id: UUID, key: str) -> None:
        """Forget a key claimed by a checkout that placed nothing in the end (its payment
        was declined), so it may be used again."""
        ...
