"""Stock as checkout, cancellation, picking and managers move it, and its ledger."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Protocol
from uuid import UUID

from grocery.core.alerts import StockMove
from grocery.core.orders import TakenStock
from grocery.core.stock import StockMovement


class StockRoom(Protocol):
    """Stock as checkout, cancellation, picking and managers move it: updates of the
    products' rows relative to themselves."""

    async def take(self, wanted: Mapping[UUID, int]) -> dict[UUID, TakenStock]:
        """Take each product's units off the shelf in one conditional step, the products'
        rows locked in id order (two checkouts never wait on each other in a circle) and
        kept locked until the transaction ends. A product missing from the answer had fewer
        in stock, or is archived or gone, and nothing of it changed; the caller rolls back
        what was taken of the others."""
        ...

    async def put_back(self, quantities: Mapping[UUID, int]) -> list[StockMove]:
        """Return each product's units to the shelf in one step, in `quantities`' order;
        the rows are locked in id order and stay locked likewise."""
        ...

    async def exchange(self, changes: Mapping[UUID, int]) -> dict[UUID, StockMove]:
        """Take (+) or give back (-) each product's units in one step, the rows locked in id
        order and kept locked likewise, so two managers swapping the same substitutes opposite
        ways queue instead of deadlocking. A take needs the units on the shelf of a product for
        sale: a product taken from that is missing from the answer had fewer, or is archived
        or gone, and nothing of it changed; the caller rolls back the rest."""
        ...

    async def adjust(self, product_id: UUID, quantity: int) -> StockMove | None:
        """Add `quantity` (negative: take it off) in one conditional step; None (and nothing
        changes) when the stock would go below zero or there is no such product."""
        ...


class StockLedger(Protocol):
    """One movement per stock change."""

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
