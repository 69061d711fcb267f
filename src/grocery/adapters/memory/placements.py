"""A checkout's reads and writes in memory: each part by the repository that keeps its kind."""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from grocery.core.orders import KeptAnswer
from grocery.core.placement import CartAtCheckout, KeyClaim, Placement
from grocery.core.ports.accounts import UserRepository
from grocery.core.ports.carts import CartRepository
from grocery.core.ports.fulfilment import DeliveryZoneRepository, SlotHoldRepository
from grocery.core.ports.idempotency import IdempotencyKeyRepository
from grocery.core.ports.orders import OrderRepository
from grocery.core.ports.outbox import Outbox
from grocery.core.ports.stock import StockLedger


@dataclass(frozen=True, kw_only=True, slots=True)
class MemoryOrderPlacement:
    cart: CartRepository
    holds: SlotHoldRepository
    zones: DeliveryZoneRepository
    users: UserRepository
    orders: OrderRepository
    ledger: StockLedger
    outbox: Outbox
    keys: IdempotencyKeyRepository

    async def take_cart(
        self, user_id: UUID, claim: KeyClaim | None = None
    ) -> CartAtCheckout | KeptAnswer:
        if claim is not None:
            kept = await self.keys.claim(user_id, claim.key, claim.request_hash, claim.at)
            if kept is not None:
                return kept
        held = await self.holds.of_customer(user_id)
        address = None if held is None else held.address
        zone_id = None if address is None else await self.zones.id_for(address.postal_code)
        return CartAtCheckout(
            cart=await self.cart.take_all(user_id),
            held=held,
            customer=await self.users.get(user_id),
            address_zone_id=zone_id,
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
