"""A product's stock ledger over HTTP, for managers: its movements, and receipts and
adjustments by hand."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

import msgspec
from litestar import Controller, get, post
from litestar.params import FromPath, FromQuery, JSONBody

from grocery.core.identity import Principal
from grocery.core.services.stock import StockService
from grocery.core.stock import MovementKind, StockMovement
from grocery.entrypoints.http.deps import Injected
from grocery.entrypoints.http.guards import manager
from grocery.entrypoints.http.pages import DEFAULT_LIMIT, Limit, id_cursor, read_id_cursor


class StockMovementOut(msgspec.Struct):
    id: UUID
    kind: MovementKind
    quantity: int  # signed: + onto the shelf, - off it
    stock_after: int
    order_id: UUID | None
    note: str | None
    user_id: UUID | None
    created_at: datetime

    @classmethod
    def of(cls, movement: StockMovement) -> StockMovementOut:
        return cls(
            id=movement.id,
            kind=movement.kind,
            quantity=movement.quantity,
            stock_after=movement.stock_after,
            order_id=movement.order_id,
            note=movement.note,
            user_id=movement.user_id,
            created_at=movement.created_at,
        )


class StockMovementListOut(msgspec.Struct):
    items: list[StockMovementOut]
    next_cursor: str | None


class StockEntryBody(msgspec.Struct):
    kind: str  # "receipt" or "adjustment"
    quantity: int  # a receipt > 0; an adjustment any but 0
    note: str | None = None


class StockMovementController(Controller):
    path = "/products/{product_id:uuid}/stock-movements"
    tags = ("stock",)
    guards = (manager,)

    @get("/")
    async def list_movements(
        self,
        product_id: FromPath[UUID],
        stock: Injected[StockService],
        limit: Limit = DEFAULT_LIMIT,
        cursor: FromQuery[str | None] = None,
    ) -> StockMovementListOut:
        """Newest first. The product's stock is the sum of all its movements."""
        page = await stock.movements(product_id, before=read_id_cursor(cursor), limit=limit)
        return StockMovementListOut(
            items=[StockMovementOut.of(movement) for movement in page.movements],
            next_cursor=id_cursor(page.last_id),
        )

    @post("/", status_code=201)
    async def record(
        self,
        product_id: FromPath[UUID],
        data: JSONBody[StockEntryBody],
        principal: Injected[Principal],
        stock: Injected[StockService],
    ) -> StockMovementOut:
        """Goods received, or a count corrected; stock below zero -> 409 `insufficient_stock`."""
        movement = await stock.record(
            product_id,
            kind=data.kind,
            quantity=data.quantity,
            note=data.note,
            user_id=principal.user_id,
        )
        return StockMovementOut.of(movement)
