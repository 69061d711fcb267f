"""Orders in memory."""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection
from dataclasses import dataclass, field, replace
from datetime import datetime
from uuid import UUID

from grocery.adapters.memory.catalog import CatalogTables
from grocery.core.catalog import Product
from grocery.core.orders import Order, OrderLine, OrderMark, OrderStatus, SlotTally
from grocery.core.payments import Refund
from grocery.core.sales import counted_sales


@dataclass
class OrderTables:
    orders: dict[UUID, Order] = field(default_factory=dict)
    refunds: list[Refund] = field(default_factory=list)
    payment_events: set[str] = field(default_factory=set)  # the provider's, applied


class MemoryOrderRepository:
    """Counts units sold; the other sales counters (revenue, orders) only the SQL reports read."""

    def __init__(self, tables: OrderTables, catalog: CatalogTables) -> None:
        self._orders = tables.orders
        self._products = catalog.products

    async def add(self, order: Order) -> None:
        # Lines come back in id order, as SQL reads them.
        self._orders[order.id] = replace(order, lines=tuple(sorted(order.lines, key=_line_id)))
        self._sold(order, 1)

    async def uncount_sold(self, order: Order) -> None:
        self._sold(order, -1)

    def _sold(self, order: Order, sign: int) -> None:
        for product_id, sales in counted_sales(order).items():
            count_units(self._products, product_id, sign * sales.units)

    async def get(self, order_id: UUID) -> Order | None:
        return self._orders.get(order_id)

    async def page(
        self,
        *,
        customer: UUID | None,
        status: OrderStatus | None,
        after: OrderMark | None,
        limit: int,
    ) -> list[Order]:
        newest_first = sorted(
            self._orders.values(), key=lambda order: (order.created_at, order.id), reverse=True
        )
        return [
            order
            for order in newest_first
            if (customer is None or order.user_id == customer)
            and (status is None or order.status is status)
            and (after is None or (order.created_at, order.id) < after)
        ][:limit]

    async def of_slot_day(
        self,
        *,
        starts_from: datetime,
        starts_before: datetime,
        status: OrderStatus | None,
        after: OrderMark | None,
        limit: int,
    ) -> list[Order]:
        booked = [
            ((order.fulfilment.starts_at, order.id), order)
            for order in self._orders.values()
            if order.fulfilment is not None
            and starts_from <= order.fulfilment.starts_at < starts_before
            and (status is None or order.status is status)
        ]
        booked.sort(key=lambda pair: pair[0])
        return [order for mark, order in booked if after is None or mark > after][:limit]

    async def count_slot_day(
        self, *, starts_from: datetime, starts_before: datetime
    ) -> list[SlotTally]:
        counted: Counter[SlotTally] = Counter()
        for order in self._orders.values():
            handed = order.fulfilment
            if handed is None or not starts_from <= handed.starts_at < starts_before:
                continue
            point = None if handed.pickup_point is None else handed.pickup_point.name
            slot = (handed.slot_id, handed.starts_at, handed.ends_at, handed.method, point)
            counted[SlotTally(*slot, status=order.status, orders=0)] += 1
        return sorted(
            (replace(tally, orders=orders) for tally, orders in counted.items()),
            key=lambda t: (t.starts_at, t.slot_id, t.status.value, t.pickup_point or ""),
        )

    async def move(
        self,
        order_id: UUID,
        *,
        to: OrderStatus,
        allowed_from: Collection[OrderStatus],
        at: datetime,
    ) -> bool:
        order = self._orders.get(order_id)
        if order is None or order.status not in allowed_from:
            return False
        cancelled_at = at if to is OrderStatus.CANCELLED else order.cancelled_at
        self._orders[order_id] = replace(order, status=to, updated_at=at, cancelled_at=cancelled_at)
        return True


def _line_id(line: OrderLine) -> UUID:
    return line.id


def count_units(products: dict[UUID, Product], product_id: UUID, units: int) -> None:
    product = products[product_id]
    products[product_id] = replace(product, units_sold=product.units_sold + units)
