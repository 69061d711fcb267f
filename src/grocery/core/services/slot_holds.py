"""Holding a delivery or pickup slot for the cart: a place kept for a while, the cart
priced with its delivery fee.

The capacity itself is judged by the store (SlotHoldRepository.hold), under the slot's
lock, so concurrent holds never overbook; the rules checked here first say whether this
customer may book this slot at all.
"""

from __future__ import annotations

from uuid import UUID

from grocery.core.addresses import Address
from grocery.core.errors import NotFound
from grocery.core.fulfilment.slots import (
    Slot,
    SlotHold,
    check_address_fits,
    check_bookable,
    hold_expiry,
    slot_full,
)
from grocery.core.fulfilment.zones import FulfilmentMethod
from grocery.core.ports.carts import SlotHoldWork
from grocery.core.ports.clock import Clock
from grocery.core.ports.transaction import UnitOfWorkFactory
from grocery.core.pricing import PricedCart
from grocery.core.services.cart import priced_cart


class SlotHoldService:
    def __init__(
        self,
        *,
        uow: UnitOfWorkFactory[SlotHoldWork],
        clock: Clock,
        hold_minutes: int,
        prices_include_tax: bool = False,
    ) -> None:
        self._uow = uow
        self._clock = clock
        self._hold_minutes = hold_minutes
        self._prices_include_tax = prices_include_tax

    async def hold(self, user_id: UUID, slot_id: UUID, address_id: UUID | None) -> PricedCart:
        """Keep a place in the slot for the customer's cart, in place of any slot it held:
        the cart priced with it. NotFound for an unknown slot or another customer's address;
        Invalid `slot_closed` past the cutoff, `not_delivered_here` outside the slot's zone;
        Conflict `slot_full` when no place is free."""
        now = self._clock.now()
        async with self._uow() as uow:
            slot = await uow.slots.get(slot_id)
            if slot is None:
                raise NotFound("There is no such slot.")
            check_bookable(slot, now, place_open=await _place_open(uow, slot))
            address = await _address(uow, user_id, address_id)
            check_address_fits(slot, address, await _zone_of(uow, slot, address))
            hold = SlotHold(
                user_id=user_id,
                slot_id=slot.id,
                address_id=address_id,
                held_until=hold_expiry(now, self._hold_minutes),
            )
            if not await uow.holds.hold(hold, now):
                raise slot_full()
            cart = await priced_cart(uow, user_id, now, self._prices_include_tax)
            await uow.commit()
        return cart

    async def release(self, user_id: UUID) -> None:
        """The customer's place goes back to the slot; releasing nothing is no error."""
        async with self._uow() as uow:
            await uow.holds.release(user_id)
            await uow.commit()


async def _place_open(uow: SlotHoldWork, slot: Slot) -> bool:
    """Whether the slot's counter still hands orders out (delivery slots always do)."""
    if slot.pickup_point_id is None:
        return True
    point = await uow.pickup_points.get(slot.pickup_point_id)
    return point is not None and point.is_active


async def _zone_of(uow: SlotHoldWork, slot: Slot, address: Address | None) -> UUID | None:
    """The zone a delivery slot's address falls in, found by its postal code's prefixes."""
    if address is None or slot.method is FulfilmentMethod.PICKUP:
        return None
    return await uow.delivery_zones.id_for(address.postal_code)


async def _address(uow: SlotHoldWork, user_id: UUID, address_id: UUID | None) -> Address | None:
    """The customer's own address; another's is not found, as an unknown one."""
    if address_id is None:
        return None
    address = await uow.addresses.get(user_id, address_id)
    if address is None:
        raise NotFound("There is no such address.")
    return address
