"""A checkout's reads and writes in memory: each part by the repository that keeps its kind."""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from grocery.core.placement import CartAtCheckout, Placement
from grocery.core.ports.accounts import UserRepository
from grocery.core.ports.carts import CartRepository
from grocery.core.ports.fulfilment import SlotHoldRepository
from grocery.core.ports.idempotency import IdempotencyKeyRepository
from grocery.core.ports.orders import OrderRepository
from grocery.core.ports.outbox import Outbox
from grocery.core.ports.stock import StockLedger


@dataclass(frozen=True, kw_only=True, slots=True)
class MemoryOrderPlacement:
    cart: CartRepository
    holds: SlotHoldRepository
    users: UserRepository
    orders: OrderRepository
    ledger: StockLedger
    outbox: Outbox
    keys: IdempotencyKeyRepository

    async def take_cart(self, user_id: UUID) -> CartAtCheckout:
        return CartAtCheckout(
            cart=await self.cart.take_all(user_id),
            held=await self.holds.of_customer(user_id),
            customer=await self.users.get(user_id),
        )

    async def place(self, placement: Placement) -> None:
        order = placement.order
        await self.orders.add(order)
        await self.ledger.record(placement.movements)
        for message in placement.mail:
            await self.outbox.add(message)
        if placement.kept is not None:
            await self.keys.answer(
                order.user_id, placement.kept.key, placement.kept.answer, order.id
            )
