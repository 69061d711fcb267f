"""Picking in memory: orders keep their picks and final bill on themselves."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from uuid import UUID

from grocery.adapters.memory.catalog import CatalogTables
from grocery.adapters.memory.orders import OrderTables, count_units
from grocery.core.orders import Order
from grocery.core.picking import Pick
from grocery.core.sales import SalesChange


class MemoryPickRepository:
    """Moves units sold only; the other sales counters (revenue, orders) only SQL keeps."""

    def __init__(self, tables: OrderTables, catalog: CatalogTables) -> None:
        self._orders = tables.orders
        self._products = catalog.products

    async def lock(self, order_id: UUID) -> Order | None:
        return self._orders.get(order_id)

    async def record(self, order_id: UUID, line_id: UUID, pick: Pick) -> None:
        order = self._orders[order_id]
        lines = tuple(
            replace(line, pick=pick) if line.id == line_id else line for line in order.lines
        )
        self._orders[order_id] = replace(order, lines=lines)

    async def complete(self, order: Order, sales: Sequence[SalesChange]) -> None:
        self._orders[order.id] = order
        for change in sales:
            count_units(self._products, change.product_id, change.units)
