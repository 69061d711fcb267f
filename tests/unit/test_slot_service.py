"""SlotService, DeliveryZoneService and AddressService on the in-memory adapters: planning,
the listing's filters in the store's time zone, and the places taken guarding changes."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from uuid import uuid4

import pytest

from grocery.adapters.memory.uow import MemoryStore, MemoryUnitOfWork
from grocery.core.addresses import AddressEdit
from grocery.core.errors import Conflict, Invalid, NotFound
from grocery.core.fulfilment.batches import SlotBatch, Window
from grocery.core.fulfilment.listing import SlotSearch, read_day, read_method, since, until
from grocery.core.fulfilment.slots import Slot, SlotHold
from grocery.core.fulfilment.zones import DeliveryZone, FulfilmentMethod, ZoneEdit
from grocery.core.services.addresses import AddressService
from grocery.core.services.fulfilment import DeliveryZoneService
from grocery.core.services.slots import SlotChange, SlotService

NOW = datetime(2030, 3, 20, 12, 0, tzinfo=UTC)  # a Wednesday, before London's spring change
LONDON = "Europe/London"


class Clock:
    def __init__(self) -> None:
        self.moment = NOW

    def now(self) -> datetime:
        return self.moment


@pytest.fixture
def store() -> MemoryStore:
    return MemoryStore()


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def slots(store: MemoryStore, clock: Clock) -> SlotService:
    return SlotService(uow=lambda: MemoryUnitOfWork(store), clock=clock, timezone=LONDON)


@pytest.fixture
async def zone(store: MemoryStore) -> DeliveryZone:
    zones = DeliveryZoneService(uow=lambda: MemoryUnitOfWork(store))
    return await zones.create(
        ZoneEdit(name="Centre", postal_code_prefixes=("sw1", "SW1A 1"), fee="3.00")
    )


def a_slot(zone: DeliveryZone, hours: float = 24, capacity: int = 4) -> Slot:
    starts_at = NOW + timedelta(hours=hours)
    return Slot(
        id=uuid4(),
        method=FulfilmentMethod.DELIVERY,
        zone_id=zone.id,
        pickup_point_id=None,
        starts_at=starts_at,
        ends_at=starts_at + timedelta(hours=2),
        cutoff_at=starts_at,
        capacity=capacity,
    )


def a_batch(zone: DeliveryZone, first: date, last: date) -> SlotBatch:
    return SlotBatch(
        method=FulfilmentMethod.DELIVERY,
        zone_id=zone.id,
        pickup_point_id=None,
        first_day=first,
        last_day=last,
        weekdays=frozenset(range(1, 8)),
        windows=(Window(start=time(9), end=time(11)),),
        capacity=5,
        cutoff_minutes=60,
    )


async def test_a_zone_is_made_from_a_form_with_its_amounts_read(zone: DeliveryZone) -> None:
    assert zone.postal_code_prefixes == ("SW1", "SW1A1")
    assert zone.fee == Decimal("3.00")


async def test_a_batch_keeps_nine_oclock_local_across_the_spring_change(
    slots: SlotService, zone: DeliveryZone, store: MemoryStore
) -> None:
    made = await slots.create_batch(a_batch(zone, date(2030, 3, 30), date(2030, 3, 31)))
    again = await slots.create_batch(a_batch(zone, date(2030, 3, 30), date(2030, 3, 31)))

    assert (made, again) == (2, 0)
    starts = sorted(slot.starts_at for slot in store.fulfilment.slots.values())
    assert starts == [datetime(2030, 3, 30, 9, tzinfo=UTC), datetime(2030, 3, 31, 8, tzinfo=UTC)]


async def test_a_batch_at_an_unknown_place_or_from_yesterday_is_refused(
    slots: SlotService, zone: DeliveryZone, store: MemoryStore
) -> None:
    unknown = a_batch(
        DeliveryZone(id=uuid4(), name="X", postal_code_prefixes=(), fee=Decimal(0)),
        date(2030, 3, 21),
        date(2030, 3, 22),
    )
    with pytest.raises(Invalid) as refused:
        await slots.create_batch(unknown)
    assert refused.value.errors[0]["field"] == "zone_id"
    with pytest.raises(Invalid):
        await slots.create_batch(a_batch(zone, date(2030, 3, 19), date(2030, 3, 22)))
    assert store.fulfilment.slots == {}


async def test_a_postal_code_lists_the_slots_of_its_zone(
    slots: SlotService, zone: DeliveryZone
) -> None:
    planned = await slots.create(a_slot(zone))

    page = await slots.upcoming(SlotSearch(postal_code="sw1a 1aa"))

    assert [load.slot.id for load in page.loads] == [planned.id]
    assert page.last is None
    with pytest.raises(Invalid) as refused:
        await slots.upcoming(SlotSearch(postal_code="E1 6AN"))
    assert refused.value.code == "not_delivered_here"


async def test_an_address_lists_for_its_owner_only(
    slots: SlotService, zone: DeliveryZone, store: MemoryStore, clock: Clock
) -> None:
    addresses = AddressService(uow=lambda: MemoryUnitOfWork(store), clock=clock)
    owner, stranger = uuid4(), uuid4()
    home = await addresses.add(
        owner,
        AddressEdit(
            recipient="Ada", line1="1 Mall", city="London", postal_code="SW1A 1AA", country="GB"
        ),
    )
    planned = await slots.create(a_slot(zone))

    page = await slots.upcoming(SlotSearch(address_id=home.id), user_id=owner)

    assert home.is_default
    assert [load.slot.id for load in page.loads] == [planned.id]
    with pytest.raises(NotFound):
        await slots.upcoming(SlotSearch(address_id=home.id), user_id=stranger)


async def test_pages_follow_one_another(slots: SlotService, zone: DeliveryZone) -> None:
    made = [await slots.create(a_slot(zone, hours=h)) for h in (5, 3, 4)]

    first = await slots.upcoming(SlotSearch(zone_id=zone.id, limit=2))
    assert first.last is not None
    rest = await slots.upcoming(
        SlotSearch(zone_id=zone.id, after=(first.last.slot.starts_at, first.last.slot.id))
    )

    order = [load.slot.id for load in first.loads + rest.loads]
    assert order == [made[1].id, made[2].id, made[0].id]


async def test_capacity_and_deletion_respect_the_places_taken(
    slots: SlotService, zone: DeliveryZone, store: MemoryStore, clock: Clock
) -> None:
    slot = await slots.create(a_slot(zone, capacity=4))
    store.fulfilment.booked[slot.id] = 1
    store.fulfilment.holds[uuid4()] = SlotHold(
        user_id=uuid4(), slot_id=slot.id, address_id=None, held_until=NOW + timedelta(minutes=30)
    )

    with pytest.raises(Conflict) as refused:
        await slots.change(slot.id, SlotChange(capacity=1))
    assert refused.value.code == "capacity_below_booked"
    load, _ = await slots.change(slot.id, SlotChange(capacity=2))
    assert (load.slot.capacity, load.remaining) == (2, 0)
    with pytest.raises(Conflict) as in_use:
        await slots.remove(slot.id)
    assert in_use.value.code == "slot_in_use"

    clock.moment = NOW + timedelta(minutes=30)  # the hold ran out
    store.fulfilment.booked[slot.id] = 0
    await slots.remove(slot.id)
    with pytest.raises(NotFound):
        await slots.load(slot.id)


def test_listing_days_are_local_days() -> None:
    search = SlotSearch(first_day=date(2030, 7, 1), last_day=date(2030, 7, 1))

    assert since(search, NOW, LONDON) == datetime(2030, 6, 30, 23, tzinfo=UTC) - timedelta(
        microseconds=1
    )
    assert until(search, LONDON) == datetime(2030, 7, 1, 23, tzinfo=UTC)
    assert since(SlotSearch(), NOW, LONDON) == NOW
    assert until(SlotSearch(), LONDON) is None


async def test_staff_see_today_s_slots_that_already_started(
    slots: SlotService, store: MemoryStore, zone: DeliveryZone
) -> None:
    """Customers are offered what is still to come; a manager planning the day sees all of
    today from local midnight (00:00 UTC in London's winter), and nothing of yesterday."""
    yesterday, morning, later = a_slot(zone, -12.5), a_slot(zone, -11), a_slot(zone, 2)
    for slot in (yesterday, morning, later):
        store.fulfilment.slots[slot.id] = slot  # laid down before they started

    offered = await slots.upcoming(SlotSearch(zone_id=zone.id))
    planned = await slots.upcoming(SlotSearch(zone_id=zone.id, started_today=True))

    assert [load.slot.id for load in offered.loads] == [later.id]
    assert [load.slot.id for load in planned.loads] == [morning.id, later.id]


def test_today_starts_at_local_midnight_for_staff() -> None:
    summer = datetime(2030, 7, 1, 12, tzinfo=UTC)
    tick = timedelta(microseconds=1)
    staff = SlotSearch(started_today=True)
    assert since(staff, summer, LONDON) == datetime(2030, 6, 30, 23, tzinfo=UTC) - tick
    later_week = SlotSearch(started_today=True, first_day=date(2030, 7, 8))
    assert since(later_week, summer, LONDON) == datetime(2030, 7, 7, 23, tzinfo=UTC) - tick


@pytest.mark.parametrize("raw", ["2030-02-30", "tomorrow", "2030-1-1", ""])
def test_days_are_yyyy_mm_dd(raw: str) -> None:
    with pytest.raises(Invalid):
        read_day(raw, field="from")


def test_methods_are_delivery_or_pickup() -> None:
    assert read_method("pickup") is FulfilmentMethod.PICKUP
    assert read_method(None) is None
    with pytest.raises(Invalid):
        read_method("drone")
