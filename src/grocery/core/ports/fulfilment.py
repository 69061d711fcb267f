"""Delivery zones, pickup points, slots, and the places holds and bookings take in them."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Protocol
from uuid import UUID

from grocery.core.fulfilment.pickup_points import PickupPoint
from grocery.core.fulfilment.slots import HeldSlot, Slot, SlotHold, SlotLoad, SlotQuery
from grocery.core.fulfilment.zones import DeliveryZone
from grocery.core.ports.addresses import AddressRepository
from grocery.core.ports.transaction import Transaction


class DeliveryZoneRepository(Protocol):
    async def add(self, zone: DeliveryZone) -> None:
        """AlreadyExists when one of its prefixes belongs to another zone (checked by the
        store itself)."""
        ...

    async def get(self, zone_id: UUID) -> DeliveryZone | None: ...

    async def all(self) -> list[DeliveryZone]:
        """Every zone, by name."""
        ...

    async def id_for(self, postal_code: str) -> UUID | None:
        """The id of the zone the postal code falls in, by the longest prefix it starts with
        (core/fulfilment/zones.py zone_for); None when it falls in none. Looked up by the
        prefixes' key (postal_code_prefixes), not by reading every zone."""
        ...

    async def update(self, zone: DeliveryZone) -> None:
        """AlreadyExists as for add."""
        ...

    async def delete(self, zone_id: UUID) -> bool:
        """False, and nothing deleted, while slots are planned in the zone."""
        ...


class PickupPointRepository(Protocol):
    async def add(self, point: PickupPoint) -> None: ...

    async def get(self, point_id: UUID) -> PickupPoint | None: ...

    async def all(self, *, active_only: bool) -> list[PickupPoint]:
        """By name."""
        ...

    async def update(self, point: PickupPoint) -> None: ...

    async def delete(self, point_id: UUID) -> bool:
        """False, and nothing deleted, while slots are planned at the point."""
        ...


class SlotRepository(Protocol):
    async def add(self, slot: Slot) -> None:
        """AlreadyExists when the same place already has a slot with the same start and end."""
        ...

    async def add_new(self, slots: Sequence[Slot]) -> int:
        """Those of `slots` whose place has no slot with the same start and end yet, in one
        step: how many were made."""
        ...

    async def get(self, slot_id: UUID) -> Slot | None: ...

    async def load(self, slot_id: UUID, now: datetime) -> SlotLoad | None:
        """The slot with its places booked and held (holds unexpired at `now`)."""
        ...

    async def upcoming(self, query: SlotQuery, now: datetime) -> list[SlotLoad]:
        """The query's page, loads counted at `now`. Slots of inactive pickup points are
        left out."""
        ...

    async def update(self, slot: Slot, now: datetime) -> bool:
        """Save the slot's capacity and cutoff, only while the capacity is at least its
        places taken (booked, and held unexpired at `now`), judged under the slot's lock:
        False, and nothing changes, otherwise."""
        ...

    async def delete_unused(self, slot_id: UUID, now: datetime) -> bool:
        """Delete the slot (with its expired holds) unless a place in it is booked or held
        unexpired at `now`, judged under its lock: False, and nothing changes, otherwise."""
        ...


class FulfilmentWork(Transaction, Protocol):
    """What planning zones, pickup points and slots, and listing slots, work with."""

    delivery_zones: DeliveryZoneRepository
    pickup_points: PickupPointRepository
    slots: SlotRepository
    addresses: AddressRepository  # a customer lists the slots of their address's zone


class SlotHoldRepository(Protocol):
    """At most one hold per customer's cart."""

    async def hold(self, hold: SlotHold, now: datetime) -> bool:
        """Keep a place for the customer until `hold.held_until`, in place of any hold they
        had (in this slot or another), only while the slot has a free place not counting
        their own: False, and nothing changes, otherwise. Judged under the slot's lock in
        one conditional statement, so concurrent holds never exceed its capacity."""
        ...

    async def of_customer(self, user_id: UUID) -> HeldSlot | None:
        """The customer's hold, expired or not, with its slot and terms."""
        ...

    async def release(self, user_id: UUID) -> bool:
        """False when the customer held nothing."""
        ...


class SlotBookingRepository(Protocol):
    async def book(self, slot_id: UUID, order_id: UUID, user_id: UUID, now: datetime) -> bool:
        """Turn the customer's hold into the order's booking: take a place in the slot only
        while it has one free not counting their own hold (expired or not), judged under the
        slot's lock in one conditional statement; the hold goes. False, and nothing changes,
        when the slot is full. The order is already stored."""
        ...

    async def release(self, order_id: UUID) -> bool:
        """Free the order's place (it was cancelled); False when it booked none."""
        ...
