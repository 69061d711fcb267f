"""Orders, and the work of checking out and of moving orders along."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime
from typing import Protocol
from uuid import UUID

from grocery.core.orders import KeptAnswer, Order, OrderMark, OrderStatus, SlotTally
from grocery.core.placement import CartAtCheckout, KeyClaim, Placement
from grocery.core.ports.alerts import StockWatch
from grocery.core.ports.carts import CartWork
from grocery.core.ports.fulfilment import SlotBookingRepository
from grocery.core.ports.idempotency import IdempotencyKeyRepository
from grocery.core.ports.mail import CustomerMailWork
from grocery.core.ports.payments import PaymentRepository
from grocery.core.ports.picking import PickRepository
from grocery.core.ports.promotions import PromoRedemptionRepository
from grocery.core.ports.stock import StockRoom
from grocery.core.ports.transaction import Transaction


class OrderRepository(Protocol):
    async def add(self, order: Order) -> None:
        """The order with its lines, counted in its products' sales (units sold, revenue,
        one order each). Called after its stock was taken, so its products' rows are
        locked already and no new lock is waited for."""
        ...

    async def uncount_sold(self, order: Order) -> None:
        """Take a cancelled order back off its products' sales; called after its stock was
        put back, for the same reason."""
        ...

    async def get(self, order_id: UUID) -> Order | None: ...

    async def page(
        self,
        *,
        customer: UUID | None,
        status: OrderStatus | None,
        after: OrderMark | None,
        limit: int,
    ) -> list[Order]:
        """Newest first (created_at, then id), after the given mark (keyset), at most `limit`;
        only that customer's, and only those of `status`, when named."""
        ...

    async def of_slot_day(
        self,
        *,
        starts_from: datetime,
        starts_before: datetime,
        status: OrderStatus | None,
        after: OrderMark | None,
        limit: int,
    ) -> list[Order]:
        """Orders whose booked slot starts in [starts_from, starts_before), by slot start
        (then id), after the given (slot start, id) mark, at most `limit`; only those of
        `status` when one is named."""
        ...

    async def count_slot_day(
        self, *, starts_from: datetime, starts_before: datetime
    ) -> list[SlotTally]:
        """The orders whose booked slot starts in [starts_from, starts_before), counted per
        slot (and its pickup point's name) and status, by slot start, then slot id, then
        status name."""
        ...

    async def move(
        self,
        order_id: UUID,
        *,
        to: OrderStatus,
        allowed_from: Collection[OrderStatus],
        at: datetime,
    ) -> bool:
        """Set the status only while it is one of `allowed_from`, atomically: of two
        concurrent moves out of one status exactly one answers True."""
        ...


class OrderPlacement(Protocol):
    async def take_cart(
        self, user_id: UUID, claim: KeyClaim | None = None
    ) -> CartAtCheckout | KeptAnswer:
        """The cart taken out as CartRepository.take_all takes it, read together with the
        customer's hold (as SlotHoldRepository.of_customer reads it), the zone the hold's
        address falls in (as DeliveryZoneRepository.id_for finds it) and their account.
        With a claim, its key is claimed first as IdempotencyKeyRepository.claim claims it:
        a key used before answers the earlier request under it, and nothing is taken."""
        ...

    async def place(self, placement: Placement) -> None:
        """Store everything a checkout writes for its order at once: the order as
        OrderRepository.add stores it, its stock movements, its mail in the outbox and the
        answer kept under its Idempotency-Key (claimed earlier in the transaction)."""
        ...


class CheckoutWork(CartWork, StockWatch, CustomerMailWork, Protocol):
    """What checkout works with: the cart taken out, its stock taken, its code redeemed,
    the order stored under its Idempotency-Key, alerts for the stock that ran low, the
    customer's mail, the held slot booked (its address still in the slot's zone)."""

    stock: StockRoom
    orders: OrderRepository
    placements: OrderPlacement
    bookings: SlotBookingRepository
    redemptions: PromoRedemptionRepository
    idempotency_keys: IdempotencyKeyRepository
    payments: PaymentRepository


class OrderWork(Transaction, StockWatch, CustomerMailWork, Protocol):
    """What the order use cases work with: a cancellation puts stock back and releases
    the code's use; the customer is mailed when the order ships or is cancelled; shipping
    an order nobody picked records it picked in full; a cancellation frees its slot's place."""

    orders: OrderRepository
    bookings: SlotBookingRepository
    stock: StockRoom
    redemptions: PromoRedemptionRepository
    picks: PickRepository
    payments: PaymentRepository
