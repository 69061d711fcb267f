"""The demo shop's delivery and pickup: two zones, a counter, and a week of slots from the
day it is loaded, so a newcomer can book one at once. Loading again adds what is missing."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from uuid import UUID
from zoneinfo import ZoneInfo

from grocery.core.addresses import StreetAddress
from grocery.core.fulfilment.batches import SlotBatch, Window
from grocery.core.fulfilment.pickup_points import PickupPointEdit
from grocery.core.fulfilment.zones import FulfilmentMethod, ZoneEdit
from grocery.core.services.fulfilment import DeliveryZoneService, PickupPointService
from grocery.core.services.slots import SlotService

DEMO_ZONES = (
    ZoneEdit(
        name="Town centre",
        postal_code_prefixes=("SW1", "WC2"),
        fee="2.99",
        free_delivery_over="50.00",
        min_order_amount="15.00",
    ),
    ZoneEdit(
        name="Greater London",
        postal_code_prefixes=("E", "N", "SE", "SW", "W"),
        fee="4.99",
        free_delivery_over="80.00",
        min_order_amount="25.00",
    ),
)
DEMO_COUNTER = PickupPointEdit(
    name="Shop counter",
    address=StreetAddress(
        line1="1 Market Street", city="London", postal_code="WC2E 8RF", country="GB"
    ),
    instructions="At the back of the shop, by the bakery.",
)
DELIVERY_WINDOWS = (
    Window(start=time(8), end=time(10)),
    Window(start=time(12), end=time(14)),
    Window(start=time(18), end=time(20)),
)
PICKUP_WINDOWS = (Window(start=time(10), end=time(12)), Window(start=time(16), end=time(18)))
DAYS = 7  # from the day the demo is loaded
EVERY_DAY = frozenset(range(1, 8))


@dataclass(frozen=True, slots=True)
class DemoFulfilment:
    zones_added: int
    points_added: int
    slots_added: int


async def load_demo_fulfilment(
    zones: DeliveryZoneService,
    points: PickupPointService,
    slots: SlotService,
    *,
    timezone: str,
) -> DemoFulfilment:
    known_zones = {zone.name: zone for zone in await zones.all()}
    new_zones = [edit for edit in DEMO_ZONES if edit.name not in known_zones]
    for edit in new_zones:
        zone = await zones.create(edit)
        known_zones[zone.name] = zone
    counter = next(
        (p for p in await points.all(active_only=False) if p.name == DEMO_COUNTER.name), None
    )
    new_points = 0 if counter else 1
    counter = counter or await points.create(DEMO_COUNTER)
    today = datetime.now(UTC).astimezone(ZoneInfo(timezone)).date()
    week = [_delivery_week(known_zones[str(edit.name)].id, today) for edit in DEMO_ZONES]
    week.append(_pickup_week(counter.id, today))
    made = sum([await slots.create_batch(batch) for batch in week])
    return DemoFulfilment(zones_added=len(new_zones), points_added=new_points, slots_added=made)


def _delivery_week(zone_id: UUID, today: date) -> SlotBatch:
    return SlotBatch(
        method=FulfilmentMethod.DELIVERY,
        zone_id=zone_id,
        pickup_point_id=None,
        first_day=today,
        last_day=today + timedelta(days=DAYS - 1),
        weekdays=EVERY_DAY,
        windows=DELIVERY_WINDOWS,
        capacity=8,
        cutoff_minutes=120,
    )


def _pickup_week(point_id: UUID, today: date) -> SlotBatch:
    return SlotBatch(
        method=FulfilmentMethod.PICKUP,
        zone_id=None,
        pickup_point_id=point_id,
        first_day=today,
        last_day=today + timedelta(days=DAYS - 1),
        weekdays=EVERY_DAY,
        windows=PICKUP_WINDOWS,
        capacity=20,
        cutoff_minutes=60,
    )
