"""Zones, pickup points, slots and addresses to store, for the fulfilment port tests.

`take_places` books and holds places in a slot straight in the adapter's tables: the holds and
bookings ports build on these tables, and until they do the counts are set up here.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any
from uuid import UUID, uuid4

from sqlalchemy import insert, update

from grocery.adapters.memory.uow import MemoryUnitOfWork
from grocery.adapters.sql.schema.fulfilment import slot_holds, slots
from grocery.adapters.sql.uow import SqlUnitOfWork
from grocery.core.addresses import Address, StreetAddress
from grocery.core.fulfilment.pickup_points import PickupPoint
from grocery.core.fulfilment.slots import Slot, SlotHold
from grocery.core.fulfilment.zones import DeliveryZone, FulfilmentMethod
from grocery.core.identity import User
from tests.ports.shop import NOW, OpenWork, at


def a_zone(*prefixes: str, **fields: Any) -> DeliveryZone:
    values: dict[str, Any] = {
        "id": uuid4(),
        "name": f"Zone {uuid4().hex[:6]}",
        "postal_code_prefixes": prefixes or (uuid4().hex[:6].upper(),),
        "fee": Decimal("4.99"),
    }
    return DeliveryZone(**{**values, **fields})


def a_point(**fields: Any) -> PickupPoint:
    values: dict[str, Any] = {
        "id": uuid4(),
        "name": f"Counter {uuid4().hex[:6]}",
        "address": StreetAddress(
            line1="1 High St", city="Leeds", postal_code="LS1 1AA", country="GB"
        ),
    }
    return PickupPoint(**{**values, **fields})


def a_slot(place: DeliveryZone | PickupPoint, starts_in_hours: float = 24, **fields: Any) -> Slot:
    starts_at = at(starts_in_hours * 60)
    delivery = isinstance(place, DeliveryZone)
    values: dict[str, Any] = {
        "id": uuid4(),
        "method": FulfilmentMethod.DELIVERY if delivery else FulfilmentMethod.PICKUP,
        "zone_id": place.id if delivery else None,
        "pickup_point_id": None if delivery else place.id,
        "starts_at": starts_at,
        "ends_at": starts_at + timedelta(hours=2),
        "cutoff_at": starts_at - timedelta(hours=1),
        "capacity": 5,
    }
    return Slot(**{**values, **fields})


def an_address(user: User, **fields: Any) -> Address:
    values: dict[str, Any] = {
        "id": uuid4(),
        "user_id": user.id,
        "recipient": "Ada Lovelace",
        "line1": "12 St James's Square",
        "city": "London",
        "postal_code": "SW1Y 4JH",
        "country": "GB",
        "created_at": NOW,
    }
    return Address(**{**values, **fields})


def a_hold(user: User, slot: Slot, until: datetime, address: Address | None = None) -> SlotHold:
    address_id = None if address is None else address.id
    return SlotHold(user_id=user.id, slot_id=slot.id, address_id=address_id, held_until=until)


async def take_places(
    uow: OpenWork, slot: Slot, *, booked: int = 0, held: Sequence[SlotHold] = ()
) -> None:
    """`booked` places of the slot booked by orders, and these holds kept."""
    async with uow() as work:
        if isinstance(work, SqlUnitOfWork):
            await work._sql.execute(
                update(slots).where(slots.c.id == slot.id).values(booked=booked)
            )
            for hold in held:
                await work._sql.execute(insert(slot_holds).values(_hold_row(hold)))
        else:
            assert isinstance(work, MemoryUnitOfWork)
            tables = work._working.fulfilment
            tables.booked[slot.id] = booked
            tables.holds.update({hold.user_id: hold for hold in held})
        await work.commit()


def _hold_row(hold: SlotHold) -> dict[str, UUID | datetime | None]:
    return {
        "user_id": hold.user_id,
        "slot_id": hold.slot_id,
        "address_id": hold.address_id,
        "held_until": hold.held_until,
    }
