"""Orders as picking reads and writes them: picks per line, the final bill, corrected sales."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol
from uuid import UUID

from grocery.core.orders import Order
from grocery.core.picking import Pick
from grocery.core.ports.alerts import StockWatch
from grocery.core.ports.carts import ProductShelf
from grocery.core.ports.mail import CustomerMailWork
from grocery.core.ports.promotions import PromoCodeRepository
from grocery.core.ports.stock import StockRoom
from grocery.core.ports.transaction import Transaction
from grocery.core.sales import SalesChange


class PickRepository(Protocol):
    async def lock(self, order_id: UUID) -> Order | None:
        """The order with its lines and their picks, its row locked until the transaction
        ends: picks and completions of one order take turns, so two pickers can't both
        give back or take the same stock."""
        ...

    async def record(self, order_id: UUID, line_id: UUID, pick: Pick) -> None:
        """Save the line's pick, replacing any earlier one."""
        ...

    async def complete(self, order: Order, sales: Sequence[SalesChange]) -> None:
        """Save the order's final bill (`order.final`) with every line's pick, and move its
        products' sales counters (units, revenue, orders; and the order's own units and
        categories) by `sales`, so reports count what was handed over. The products whose
        counters move are locked in id order, as checkout locks them: give stock back after
        this, and that waits for no new lock."""
        ...


class PickingWork(Transaction, StockWatch, CustomerMailWork, Protocol):
    """What picking works with: the order and its picks, the shelf its substitutes come
    from, the stock they move, the order's promo code for the final bill, and the customer
    to tell what picking changed."""

    picks: PickRepository
    shelf: ProductShelf
    stock: StockRoom
    promo_codes: PromoCodeRepository
