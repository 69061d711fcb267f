"""Delivery zones, pickup points, slots and addresses set up straight through the SQL unit of
work, and the cart's slot over HTTP, for the slot booking tests."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Any
from uuid import UUID, uuid4

import httpx

from grocery.adapters.sql.uow import SqlUnitOfWork
from grocery.core.addresses import Address, StreetAddress
from grocery.core.fulfilment.pickup_points import PickupPoint
from grocery.core.fulfilment.slots import Slot
from grocery.core.fulfilment.zones import DeliveryZone, FulfilmentMethod
from grocery.entrypoints.wiring import Adapters

if TYPE_CHECKING:
    from tests.integration.conftest import SignedInUser


class Places:
    """Zones (each with a postal-code prefix of its own), counters, slots and addresses."""

    def __init__(self, adapters: Adapters) -> None:
        self.adapters = adapters
        self._slots_made = 0

    async def zone(self, fee: str = "4.99", **terms: Any) -> DeliveryZone:
        zone = DeliveryZone(
            id=uuid4(),
            name=f"Zone {uuid4().hex[:6]}",
            postal_code_prefixes=(f"Z{uuid4().hex[:8].upper()}",),
            fee=Decimal(fee),
            **{key: Decimal(value) for key, value in terms.items()},
        )
        async with SqlUnitOfWork(self.adapters.database) as work:
            await work.delivery_zones.add(zone)
            await work.commit()
        return zone

    async def point(self, name: str = "Front counter") -> PickupPoint:
        point = PickupPoint(
            id=uuid4(),
            name=name,
            address=StreetAddress(line1="1 High St", city="Leeds", postal_code="LS1", country="GB"),
        )
        async with SqlUnitOfWork(self.adapters.database) as work:
            await work.pickup_points.add(point)
            await work.commit()
        return point

    async def slot(
        self,
        place: DeliveryZone | PickupPoint,
        *,
        capacity: int = 5,
        starts_at: datetime | None = None,
        cutoff_before: timedelta = timedelta(hours=1),
    ) -> Slot:
        self._slots_made += 1  # slots of one place never share their times
        later = timedelta(days=1, hours=3 * self._slots_made)
        starts = starts_at or datetime.now(UTC).replace(microsecond=0) + later
        delivery = isinstance(place, DeliveryZone)
        slot = Slot(
            id=uuid4(),
            method=FulfilmentMethod.DELIVERY if delivery else FulfilmentMethod.PICKUP,
            zone_id=place.id if delivery else None,
            pickup_point_id=None if delivery else place.id,
            starts_at=starts,
            ends_at=starts + timedelta(hours=2),
            cutoff_at=starts - cutoff_before,
            capacity=capacity,
        )
        async with SqlUnitOfWork(self.adapters.database) as work:
            await work.slots.add(slot)
            await work.commit()
        return slot

    async def address(self, user: SignedInUser, zone: DeliveryZone | None = None) -> Address:
        """An address of the user's inside `zone` (else in no zone)."""
        postal_code = "NOWHERE 1" if zone is None else f"{zone.postal_code_prefixes[0]} 1AA"
        address = Address(
            id=uuid4(),
            user_id=user.id,
            recipient="Ada Lovelace",
            line1="12 St James's Square",
            city="London",
            postal_code=postal_code,
            country="GB",
            created_at=datetime.now(UTC),
        )
        async with SqlUnitOfWork(self.adapters.database) as work:
            await work.addresses.add(address)
            await work.commit()
        return address

    async def taken(self, slot: Slot, at: datetime | None = None) -> tuple[int, int]:
        """(booked, held) at `at`, by default now."""
        async with SqlUnitOfWork(self.adapters.database) as work:
            load = await work.slots.load(slot.id, at or datetime.now(UTC))
        assert load is not None
        return load.booked, load.held


async def hold(
    client: Any, user: SignedInUser, slot: Slot, address: Address | None = None
) -> httpx.Response:
    body: dict[str, UUID | None] = {"slot_id": slot.id}
    if address is not None:
        body["address_id"] = address.id
    response: httpx.Response = await client.put(
        "/api/cart/slot", json={k: str(v) for k, v in body.items()}, headers=user.headers
    )
    return response
