"""Holds and bookings of places in slots, in memory: a unit of work is one use case at a
time, so judging the places taken and taking one are a single step here."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from grocery.adapters.memory.addresses import AddressTables
from grocery.adapters.memory.fulfilment import FulfilmentTables
from grocery.adapters.memory.orders import OrderTables
from grocery.core.addresses import Address
from grocery.core.fulfilment.pickup_points import PickupPointRef
from grocery.core.fulfilment.slots import HeldSlot, SlotHold
from grocery.core.fulfilment.zones import PICKUP_TERMS


class MemorySlotHoldRepository:
    def __init__(self, tables: FulfilmentTables, addresses: AddressTables) -> None:
        self._tables = tables
        self._addresses = addresses

    async def hold(self, hold: SlotHold, now: datetime) -> bool:
        slot = self._tables.slots.get(hold.slot_id)
        if slot is None or _taken_by_others(self._tables, hold.slot_id, hold.user_id, now) >= (
            slot.capacity
        ):
            return False
        self._tables.holds[hold.user_id] = hold
        return True

    async def of_customer(self, user_id: UUID) -> HeldSlot | None:
        hold = self._tables.holds.get(user_id)
        if hold is None:
            return None
        slot = self._tables.slots[hold.slot_id]
        if slot.pickup_point_id is not None:
            point = self._tables.pickup_points[slot.pickup_point_id]
            return HeldSlot(
                hold=hold,
                slot=slot,
                terms=PICKUP_TERMS,
                place_open=point.is_active,
                pickup_point=PickupPointRef(id=point.id, name=point.name),
            )
        assert slot.zone_id is not None  # a delivery slot
        address = None if hold.address_id is None else self._address(hold.address_id)
        terms = self._tables.zones[slot.zone_id].terms
        return HeldSlot(hold=hold, slot=slot, terms=terms, address=address)

    async def release(self, user_id: UUID) -> bool:
        return self._tables.holds.pop(user_id, None) is not None

    def _address(self, address_id: UUID) -> Address | None:
        return self._addresses.addresses.get(address_id)


class MemorySlotBookingRepository:
    def __init__(self, tables: FulfilmentTables, orders: OrderTables) -> None:
        self._tables = tables
        self._orders = orders.orders

    async def book(self, slot_id: UUID, order_id: UUID, user_id: UUID, now: datetime) -> bool:
        slot = self._tables.slots.get(slot_id)
        if slot is None or _taken_by_others(self._tables, slot_id, user_id, now) >= slot.capacity:
            return False
        self._tables.booked[slot_id] = self._tables.booked.get(slot_id, 0) + 1
        self._tables.holds.pop(user_id, None)
        return True

    async def release(self, order_id: UUID) -> bool:
        order = self._orders.get(order_id)
        if order is None or order.fulfilment is None:
            return False
        slot_id = order.fulfilment.slot_id
        self._tables.booked[slot_id] -= 1
        return True


def _taken_by_others(tables: FulfilmentTables, slot_id: UUID, user_id: UUID, now: datetime) -> int:
    """Places booked, and held unexpired by customers other than `user_id`."""
    own = tables.holds.get(user_id)
    own_counts = own is not None and own.slot_id == slot_id and own.counts_at(now)
    return tables.taken(slot_id, now) - (1 if own_counts else 0)
