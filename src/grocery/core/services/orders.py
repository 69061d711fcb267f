"""Orders after checkout: lists, details, the manager's fulfilment steps, and cancellation.

Customers see only their own orders; anyone else's is "not found", never "forbidden".
Status changes are conditional updates, so of two concurrent ones only one takes effect.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from uuid import UUID

from grocery.core.errors import Forbidden, NotFound
from grocery.core.final_bill import ready_to_ship
from grocery.core.identity import Principal, Role
from grocery.core.mail import MailKind
from grocery.core.order_mail import dispatch_mail
from grocery.core.orders import (
    Order,
    OrderMark,
    OrderStatus,
    SlotTally,
    cancellable_from,
    check_step,
    invalid_transition,
)
from grocery.core.paging import keyset_page
from grocery.core.payments import (
    UNAUTHORIZED,
    PaymentProvider,
    PaymentReport,
    PaymentStatus,
    check_shippable,
    moved,
    paid_on_delivery,
)
from grocery.core.picking import off_the_shelf
from grocery.core.ports.clock import Clock
from grocery.core.ports.orders import OrderWork
from grocery.core.ports.transaction import UnitOfWorkFactory
from grocery.core.reports import local_midnight
from grocery.core.services.mail import mail_about_order
from grocery.core.services.payments import PaymentFollowUps
from grocery.core.services.stock import record_stock
from grocery.core.stock import MovementKind

# The shop itself, cancelling an order nobody paid for: it may do what a manager may.
STAFF = Principal(user_id=UUID(int=0), role=Role.MANAGER)


@dataclass(frozen=True, slots=True)
class OrderPage:
    orders: list[Order]
    last: OrderMark | None  # where the next page starts (keyset); None on the last page


class OrderService:
    def __init__(
        self,
        *,
        uow: UnitOfWorkFactory[OrderWork],
        clock: Clock,
        timezone: str,
        payments: PaymentFollowUps | None = None,
    ) -> None:
        self._uow = uow
        self._clock = clock
        self._timezone = timezone
        self._payments = payments

    async def page(
        self,
        principal: Principal,
        *,
        customer: UUID | None = None,
        status: OrderStatus | None = None,
        after: OrderMark | None = None,
        limit: int,
    ) -> OrderPage:
        """Newest first. Staff see everyone's (or one customer's); customers their own only,
        so a customer naming someone else finds nothing."""
        if not principal.can_manage:
            if customer not in (None, principal.user_id):
                return OrderPage(orders=[], last=None)
            customer = principal.user_id
        async with self._uow() as uow:
            orders, last = await keyset_page(
                lambda rows: uow.orders.page(
                    customer=customer, status=status, after=after, limit=rows
                ),
                limit,
            )
        return OrderPage(orders=orders, last=None if last is None else (last.created_at, last.id))

    async def of_slot_day(
        self,
        principal: Principal,
        day: date,
        *,
        status: OrderStatus | None,
        after: OrderMark | None,
        limit: int,
    ) -> OrderPage:
        """For a manager planning the day: orders booked in slots starting on `day` (in the
        store's time zone), by slot start. Forbidden to customers."""
        starts_from, starts_before = self._slot_day(principal, day)
        async with self._uow() as uow:
            orders, last = await keyset_page(
                lambda rows: uow.orders.of_slot_day(
                    starts_from=starts_from,
                    starts_before=starts_before,
                    status=status,
                    after=after,
                    limit=rows,
                ),
                limit,
            )
        if last is None or last.fulfilment is None:
            return OrderPage(orders=orders, last=None)
        return OrderPage(orders=orders, last=(last.fulfilment.starts_at, last.id))

    async def count_slot_day(self, principal: Principal, day: date) -> list[SlotTally]:
        """Every order booked in slots starting on `day`, counted per slot and status."""
        starts_from, starts_before = self._slot_day(principal, day)
        async with self._uow() as uow:
            return await uow.orders.count_slot_day(
                starts_from=starts_from, starts_before=starts_before
            )

    def _slot_day(self, principal: Principal, day: date) -> tuple[datetime, datetime]:
        """Where `day` starts and ends in the store's time zone; staff only."""
        if not principal.can_manage:
            raise Forbidden("Only staff plan the day's slots.")
        next_day = day + timedelta(days=1)
        return local_midnight(day, self._timezone), local_midnight(next_day, self._timezone)

    async def get(self, principal: Principal, order_id: UUID) -> Order:
        async with self._uow() as uow:
            return await _visible(uow, principal, order_id)

    async def step(self, order_id: UUID, wanted: OrderStatus) -> Order:
        """A manager moves the order one step along placed -> processing -> shipped -> delivered."""
        now = self._clock.now()
        async with self._uow() as uow:
            # Locked: a pick being recorded finishes first, or finds the order moved on.
            order = await uow.picks.lock(order_id)
            if order is None:
                raise NotFound("There is no such order.")
            check_step(order, wanted)
            if wanted is OrderStatus.SHIPPED:
                check_shippable(order.payment)
                order = await _ship(uow, order, now)
            if wanted is OrderStatus.DELIVERED:
                order = await _paid(uow, order, now)
            if not await uow.orders.move(order_id, to=wanted, allowed_from={order.status}, at=now):
                # Someone else moved it meanwhile.
                raise invalid_transition((await _existing(uow, order_id)).status, wanted)
            moved = replace(order, status=wanted, updated_at=now)
            if wanted is OrderStatus.SHIPPED:
                await mail_about_order(uow, dispatch_mail(moved), moved, now)
            await uow.commit()
        return moved

    async def cancel(self, principal: Principal, order_id: UUID) -> Order:
        """Stock goes back, the sales counters (units, revenue, orders) are taken off and the
        promo use is released and the slot's place freed, once: cancelling a cancelled order changes nothing and answers
        it as it is."""
        now = self._clock.now()
        async with self._uow() as uow:
            order = await _visible(uow, principal, order_id)
            if order.status is OrderStatus.CANCELLED:
                return order
            allowed = cancellable_from(order, principal)
            to = OrderStatus.CANCELLED
            if not await uow.orders.move(order_id, to=to, allowed_from=allowed, at=now):
                # A concurrent cancel won (nothing more to do), or it moved out of reach.
                current = await _existing(uow, order_id)
                if current.status is not OrderStatus.CANCELLED:
                    raise invalid_transition(current.status, to)
                return current
            cancelled = await _cancelled(uow, order_id, principal.user_id, now)
            await uow.commit()
        return await self._settled(cancelled)

    async def cancel_unpaid(self, order_id: UUID) -> Order | None:
        """Cancel an order whose card was not authorized in time, as a manager would; None
        when it was authorized (or cancelled) meanwhile."""
        now = self._clock.now()
        async with self._uow() as uow:
            order = await uow.picks.lock(order_id)
            cancelled = await _cancelled_unpaid(uow, order, now)
            await uow.commit()
        return None if cancelled is None else await self._settled(cancelled)

    async def cancel_declined(self, report: PaymentReport) -> Order | None:
        """The provider's news that the card of an order awaiting payment failed: the order is
        cancelled as if its time had run out (its intent voided, so it can't be confirmed
        after). Applied once per event, in the cancel's transaction; None when the order was
        authorized, cancelled or unknown."""
        now = self._clock.now()
        async with self._uow() as uow:
            if not await uow.payments.first_time(report.event_id, now):
                return None
            order = await uow.payments.lock_by_reference(report.reference)
            cancelled = await _cancelled_unpaid(uow, order, now)
            await uow.commit()
        return None if cancelled is None else await self._settled(cancelled)

    async def _settled(self, cancelled: Order) -> Order:
        """A card's authorization voided, or its capture refunded, once the cancel is
        committed (no stock row is locked while the provider is called)."""
        if self._payments is None or cancelled.payment.provider is PaymentProvider.MANUAL:
            return cancelled
        return await self._payments.settle(cancelled)


async def _cancelled_unpaid(uow: OrderWork, order: Order | None, now: datetime) -> Order | None:
    """A locked order still awaiting its card, cancelled by the shop; None for any other
    (one cancelled meanwhile still awaits its void, so its payment looks the same)."""
    if order is None or order.status is OrderStatus.CANCELLED:
        return None
    if order.payment.status not in UNAUTHORIZED:
        return None
    to, allowed = OrderStatus.CANCELLED, cancellable_from(order, STAFF)
    if not await uow.orders.move(order.id, to=to, allowed_from=allowed, at=now):
        return None
    return await _cancelled(uow, order.id, None, now)


async def _cancelled(uow: OrderWork, order_id: UUID, by: UUID | None, now: datetime) -> Order:
    """Put back what a cancelled order held: its stock, its sales, its promo use, its place
    in its slot. A manual
    payment is voided with it (nothing was taken); a card's once this commits."""
    # Read again now that its row is locked: a pick recorded meanwhile counts.
    order = await _existing(uow, order_id)
    moves = await uow.stock.put_back(off_the_shelf(order))
    await uow.orders.uncount_sold(order)
    await uow.redemptions.release(order_id)
    await uow.bookings.release(order_id)
    kind = MovementKind.CANCELLATION
    await record_stock(uow, moves, kind, now, order_id=order_id, user_id=by)
    to = OrderStatus.CANCELLED
    cancelled = replace(order, status=to, updated_at=now, cancelled_at=now)
    if order.payment.provider is PaymentProvider.MANUAL:
        payment = moved(order.payment, PaymentStatus.VOIDED)
        await uow.payments.save(order_id, payment, now)
        cancelled = replace(cancelled, payment=payment)
    await mail_about_order(uow, MailKind.ORDER_CANCELLED, cancelled, now)
    return cancelled


async def _ship(uow: OrderWork, order: Order, now: datetime) -> Order:
    """The order as it ships: picking must be complete where anything needs weighing or
    was picked already; any other order is recorded as picked in full now."""
    shipped = ready_to_ship(order)
    if shipped is not order:
        shipped = replace(shipped, updated_at=now)
        await uow.picks.complete(shipped, [])
    return shipped


async def _paid(uow: OrderWork, order: Order, now: datetime) -> Order:
    payment = paid_on_delivery(order.payment, order.total_due)
    if payment is order.payment:
        return order
    await uow.payments.save(order.id, payment, now)
    return replace(order, payment=payment)


async def _existing(uow: OrderWork, order_id: UUID) -> Order:
    order = await uow.orders.get(order_id)
    if order is None:
        raise NotFound("There is no such order.")
    return order


async def _visible(uow: OrderWork, principal: Principal, order_id: UUID) -> Order:
    """The order, if the caller may see it; someone else's is not found."""
    order = await uow.orders.get(order_id)
    if order is None or not principal.may_see(order.user_id):
        raise NotFound("There is no such order.")
    return order
