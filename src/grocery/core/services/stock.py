"""The stock ledger: every stock change writes its movement, and managers read and add to it.

Every use case that changes stock calls record_stock in the transaction of the change, so
a product's stock is always the sum of its movements.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from grocery.core.alerts import StockMove
from grocery.core.errors import NotFound
from grocery.core.ports.alerts import StockWatch
from grocery.core.ports.catalog import StockWork
from grocery.core.ports.clock import Clock
from grocery.core.ports.transaction import UnitOfWorkFactory
from grocery.core.services.alerts import watch_stock
from grocery.core.stock import (
    MovementKind,
    StockMovement,
    check_room,
    movement,
    movements,
    stock_entry,
    too_little_stock,
)


async def record_stock(
    uow: StockWatch,
    moves: Sequence[StockMove],
    kind: MovementKind,
    now: datetime,
    *,
    order_id: UUID | None = None,
    user_id: UUID | None = None,
) -> None:
    """Write the movements of stock changes just made, and open or resolve their alerts."""
    await uow.stock_movements.record(
        movements(moves, kind, now, order_id=order_id, user_id=user_id)
    )
    await watch_stock(uow, moves, now)


@dataclass(frozen=True, slots=True)
class MovementPage:
    movements: list[StockMovement]
    last_id: UUID | None  # where the next page starts (keyset); None on the last page


class StockService:
    def __init__(self, *, uow: UnitOfWorkFactory[StockWork], clock: Clock) -> None:
        self._uow = uow
        self._clock = clock

    async def movements(self, product_id: UUID, *, before: UUID | None, limit: int) -> MovementPage:
        """Newest first; archived products keep their ledger."""
        async with self._uow() as uow:
            if await uow.products.get(product_id) is None:
                raise NotFound("No such product.")
            found = await uow.stock_movements.page(product_id, before=before, limit=limit + 1)
        page = found[:limit]
        return MovementPage(page, page[-1].id if len(found) > limit else None)

    async def record(
        self, product_id: UUID, *, kind: str, quantity: int, note: str | None, user_id: UUID
    ) -> StockMovement:
        """A receipt or an adjustment: InsufficientStock when it would leave less than none."""
        entry = stock_entry(kind, quantity, note)
        now = self._clock.now()
        async with self._uow() as uow:
            product = await uow.products.get(product_id, for_update=True)
            if product is None or product.archived:
                raise NotFound("No such product.")
            check_room(product.stock, entry)
            move = await uow.stock.adjust(product_id, entry.quantity)
            if move is None:
                raise too_little_stock(product.name, product.stock, entry.quantity)
            line = movement(move, entry.kind, now, user_id=user_id, note=entry.note)
            await uow.stock_movements.record([line])
            await watch_stock(uow, [move], now)
            await uow.commit()
        return line
