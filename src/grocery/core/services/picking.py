"""Picking an order: a pick per line, then the final bill, each in one transaction.

Every call locks the order's row first, so picks and completions of one order take turns:
two managers can't both give back or take the same stock. A substitute's units are taken
when it is picked (and a substitute it replaces given back); completing bills what was
handed over, gives the units not picked back to the shelf, corrects the sales counters and
tells the customer what picking changed. A card payment is then captured for the final
bill (core/services/payments.py).
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from uuid import UUID

from grocery.core.alerts import StockMove
from grocery.core.cart import ShelfItem
from grocery.core.errors import InsufficientStock, NotFound
from grocery.core.final_bill import completed, final_bill
from grocery.core.mail import MailKind
from grocery.core.order_mail import picking_changed
from grocery.core.orders import Order
from grocery.core.picking import (
    PickRequest,
    check_picking,
    picking_line,
    recorded_pick,
    substitute_stock,
    unpicked,
    with_pick,
)
from grocery.core.ports.clock import Clock
from grocery.core.ports.picking import PickingWork
from grocery.core.ports.transaction import UnitOfWorkFactory
from grocery.core.sales import counted_sales, sales_changes
from grocery.core.services.mail import mail_about_order
from grocery.core.services.payments import PaymentFollowUps
from grocery.core.services.stock import record_stock
from grocery.core.stock import MovementKind


class PickingService:
    def __init__(
        self,
        *,
        uow: UnitOfWorkFactory[PickingWork],
        clock: Clock,
        tolerance_percent: Decimal,
        payments: PaymentFollowUps | None = None,
    ) -> None:
        self._uow = uow
        self._clock = clock
        self._tolerance = tolerance_percent
        self._payments = payments

    async def pick(self, order_id: UUID, line_id: UUID, request: PickRequest, by: UUID) -> Order:
        """Record (or record again) what was picked for a line; a substitute's stock is taken
        now, InsufficientStock when its shelf is short."""
        now = self._clock.now()
        async with self._uow() as uow:
            order = await _locked(uow, order_id)
            line = picking_line(order, line_id)
            item = None
            if request.substitute is not None:
                wanted = request.substitute.product_id
                item = (await uow.shelf.for_cart([wanted])).get(wanted)
            pick = recorded_pick(line, request, item)
            moves = await _move_substitutes(uow, substitute_stock(line.pick, pick), item)
            await uow.picks.record(order_id, line_id, pick)
            kind = MovementKind.SUBSTITUTION
            await record_stock(uow, moves, kind, now, order_id=order_id, user_id=by)
            await uow.commit()
        return with_pick(order, line_id, pick, now)

    async def complete(self, order_id: UUID, by: UUID) -> Order:
        """The final bill; Invalid `lines_not_picked` while any line has no pick."""
        now = self._clock.now()
        async with self._uow() as uow:
            order = await _locked(uow, order_id)
            check_picking(order)
            promo_id = order.promo_code_id
            promo = None if promo_id is None else await uow.promo_codes.get(promo_id)
            done = completed(order, final_bill(order, promo, self._tolerance), now)
            # The counters first: they lock the products in id order, as checkout does.
            await uow.picks.complete(done, sales_changes(counted_sales(order), counted_sales(done)))
            moves = await uow.stock.put_back(unpicked(order))
            kind = MovementKind.PICKING_RETURN
            await record_stock(uow, moves, kind, now, order_id=order_id, user_id=by)
            if picking_changed(done):
                await mail_about_order(uow, MailKind.ORDER_PICKED, done, now)
            await uow.commit()
        # A card is charged the final bill once the stock rows are let go.
        return done if self._payments is None else await self._payments.capture(done)


async def _locked(uow: PickingWork, order_id: UUID) -> Order:
    order = await uow.picks.lock(order_id)
    if order is None:
        raise NotFound("There is no such order.")
    return order


async def _move_substitutes(
    uow: PickingWork, changes: Mapping[UUID, int], item: ShelfItem | None
) -> list[StockMove]:
    """Give back what a replaced substitute took and take the new one's units in one step,
    which locks both products in id order."""
    moved = await uow.stock.exchange(changes) if changes else {}
    for product_id, units in changes.items():
        if units > 0 and product_id not in moved:
            raise _short(item, product_id, units)
    return list(moved.values())


def _short(item: ShelfItem | None, product_id: UUID, units: int) -> InsufficientStock:
    available = 0 if item is None else item.stock
    name = "The substitute" if item is None else item.name
    return InsufficientStock(
        f"{name}: {units} wanted, {available} in stock.",
        errors=[
            {
                "field": "substitute.quantity",
                "message": f"only {available} in stock",
                "product_id": str(product_id),
                "requested": units,
                "available": available,
            }
        ],
    )
