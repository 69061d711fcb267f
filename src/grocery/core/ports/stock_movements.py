"""The stock ledger: one movement per stock change."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol
from uuid import UUID

from grocery.core.stock import StockMovement


class StockLedger(Protocol):
    async def record(self, movements: Sequence[StockMovement]) -> None:
        """Write the movements in the caller's transaction, with the stock changes they
        explain."""
        ...

    async def page(
        self, product_id: UUID, *, before: UUID | None, limit: int
    ) -> list[StockMovement]:
        """The product's movements newest first, older than the given id (keyset), at most
        `limit`."""
        ...
