"""DeliveryZoneRepository, PickupPointRepository and SlotRepository."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from decimal import Decimal

import pytest

from grocery.core.errors import AlreadyExists, Invalid
from grocery.core.fulfilment.slots import SlotQuery
from grocery.core.fulfilment.zones import FulfilmentMethod, zone_for
from tests.ports.places import a_hold, a_point, a_slot, a_zone, take_places
from tests.ports.shop import NOW, OpenWork, Seed, ascending_ids, at

# --- delivery zones -----------------------------------------------------------


async def test_a_zone_is_stored_with_its_prefixes_and_listed_by_name(uow: OpenWork) -> None:
    north = a_zone("N2", "N1", name="North", free_delivery_over=Decimal("50.00"))
    east = a_zone("E1", name="East", min_order_amount=Decimal("15.00"))
    async with uow() as work:
        await work.delivery_zones.add(north)
        await work.delivery_zones.add(east)
        await work.commit()

    async with uow() as work:
        assert await work.delivery_zones.get(north.id) == replace(
            north, postal_code_prefixes=("N1", "N2")
        )
        assert [z.name for z in await work.delivery_zones.all()] == ["East", "North"]
        assert await work.delivery_zones.get(a_zone().id) is None


async def test_a_postal_code_falls_in_the_zone_with_its_longest_prefix(uow: OpenWork) -> None:
    city, centre, old_town = a_zone("SW", "W1"), a_zone("SW1", "EC1"), a_zone("SW1A")
    async with uow() as work:
        for zone in (city, centre, old_town):
            await work.delivery_zones.add(zone)
        await work.commit()
    codes = ["SW1A 1AA", "sw1p 3bt", " S W 7 2AZ", "EC1V 9LS", "W1A 0AX", "N1 9GU", "SW", "S", ""]
    codes.append("SW1A" + "9" * 40)  # longer than any prefix may be

    async with uow() as work:
        found = [await work.delivery_zones.id_for(code) for code in codes]
        every = await work.delivery_zones.all()

    expected = [old_town, centre, city, centre, city, None, city, None, None, old_town]
    assert found == [None if zone is None else zone.id for zone in expected]
    by_core = [zone_for(code, every) for code in codes]  # the rule the store follows
    assert found == [None if zone is None else zone.id for zone in by_core]


async def test_a_prefix_belongs_to_one_zone_only(uow: OpenWork) -> None:
    async with uow() as work:
        await work.delivery_zones.add(a_zone("N1", "N2"))
        await work.commit()
    newcomer = a_zone("E1", "N2")

    async with uow() as work:
        with pytest.raises(AlreadyExists) as refused:
            await work.delivery_zones.add(newcomer)
    assert refused.value.errors == [
        {"field": "postal_code_prefixes", "message": "a prefix belongs to another zone"}
    ]
    async with uow() as work:
        assert await work.delivery_zones.get(newcomer.id) is None


async def test_an_update_replaces_the_terms_and_prefixes(uow: OpenWork) -> None:
    zone, other = a_zone("N1", "N2"), a_zone("E1")
    async with uow() as work:
        await work.delivery_zones.add(zone)
        await work.delivery_zones.add(other)
        await work.commit()
    changed = replace(zone, name="Inner north", postal_code_prefixes=("N3",), fee=Decimal("0.00"))

    async with uow() as work:
        await work.delivery_zones.update(changed)
        await work.commit()
    async with uow() as work:
        assert await work.delivery_zones.get(zone.id) == changed
        with pytest.raises(AlreadyExists):
            await work.delivery_zones.update(replace(other, postal_code_prefixes=("N3",)))
    async with uow() as work:  # the freed prefixes are free for others
        await work.delivery_zones.update(replace(other, postal_code_prefixes=("E1", "N1")))
        await work.commit()


async def test_a_zone_with_slots_planned_is_not_deleted(uow: OpenWork) -> None:
    used, unused = a_zone(), a_zone()
    async with uow() as work:
        await work.delivery_zones.add(used)
        await work.delivery_zones.add(unused)
        await work.slots.add(a_slot(used))
        await work.commit()

    async with uow() as work:
        assert not await work.delivery_zones.delete(used.id)
        assert await work.delivery_zones.delete(unused.id)
        assert not await work.delivery_zones.delete(unused.id)
        await work.commit()
    async with uow() as work:
        assert [z.id for z in await work.delivery_zones.all()] == [used.id]


# --- pickup points ------------------------------------------------------------


async def test_pickup_points_are_stored_listed_by_name_and_changed(uow: OpenWork) -> None:
    front = a_point(name="Front counter", instructions="Ring the bell")
    back = a_point(name="Back door", is_active=False)
    async with uow() as work:
        await work.pickup_points.add(front)
        await work.pickup_points.add(back)
        await work.commit()

    async with uow() as work:
        assert await work.pickup_points.get(front.id) == front
        assert await work.pickup_points.all(active_only=False) == [back, front]
        assert await work.pickup_points.all(active_only=True) == [front]
        await work.pickup_points.update(replace(back, is_active=True, instructions=None))
        await work.commit()
    async with uow() as work:
        assert await work.pickup_points.get(back.id) == replace(back, is_active=True)


async def test_a_pickup_point_with_slots_planned_is_not_deleted(uow: OpenWork) -> None:
    used, unused = a_point(), a_point()
    async with uow() as work:
        await work.pickup_points.add(used)
        await work.pickup_points.add(unused)
        await work.slots.add(a_slot(used))
        await work.commit()

    async with uow() as work:
        assert not await work.pickup_points.delete(used.id)
        assert await work.pickup_points.delete(unused.id)
        await work.commit()
    async with uow() as work:
        assert await work.pickup_points.get(unused.id) is None
        assert await work.pickup_points.get(used.id) == used


# --- slots --------------------------------------------------------------------


async def test_a_slot_is_stored_and_loaded_with_its_zone_fee(uow: OpenWork) -> None:
    zone, point = a_zone(fee=Decimal("3.50")), a_point()
    delivery, pickup = a_slot(zone), a_slot(point)
    async with uow() as work:
        await work.delivery_zones.add(zone)
        await work.pickup_points.add(point)
        await work.slots.add(delivery)
        await work.slots.add(pickup)
        await work.commit()

    async with uow() as work:
        assert await work.slots.get(delivery.id) == delivery
        load = await work.slots.load(delivery.id, NOW)
        assert load is not None
        assert (load.slot, load.booked, load.held, load.fee) == (delivery, 0, 0, Decimal("3.50"))
        pickup_load = await work.slots.load(pickup.id, NOW)
        assert pickup_load is not None
        assert (pickup_load.slot, pickup_load.zone_fee) == (pickup, None)
        assert await work.slots.load(a_slot(zone).id, NOW) is None


async def test_a_place_never_has_two_slots_with_the_same_times(uow: OpenWork) -> None:
    zone, point = a_zone(), a_point()
    first = a_slot(zone)
    async with uow() as work:
        await work.delivery_zones.add(zone)
        await work.pickup_points.add(point)
        await work.slots.add(first)
        await work.commit()

    twin = a_slot(zone)
    async with uow() as work:
        with pytest.raises(AlreadyExists) as refused:
            await work.slots.add(twin)
    assert refused.value.errors[0]["field"] == "starts_at"
    async with uow() as work:  # other times, or another place at the same times, are fine
        await work.slots.add(a_slot(zone, ends_at=first.ends_at + timedelta(hours=1)))
        await work.slots.add(a_slot(point))
        await work.commit()


async def test_a_slot_at_an_unknown_place_is_refused(uow: OpenWork) -> None:
    async with uow() as work:
        with pytest.raises(Invalid) as refused:
            await work.slots.add(a_slot(a_zone()))
    assert refused.value.errors == [{"field": "zone_id", "message": "no such delivery zone"}]
    async with uow() as work:
        with pytest.raises(Invalid) as refused:
            await work.slots.add_new([a_slot(a_point())])
    assert refused.value.errors == [{"field": "pickup_point_id", "message": "no such pickup point"}]


async def test_add_new_makes_only_the_slots_not_there_yet(uow: OpenWork) -> None:
    zone = a_zone()
    batch = [a_slot(zone, starts_in_hours=24 * day) for day in range(1, 4)]
    async with uow() as work:
        await work.delivery_zones.add(zone)
        assert await work.slots.add_new(batch[:2]) == 2
        await work.commit()

    again = [replace(slot, id=new) for slot, new in zip(batch, ascending_ids(3), strict=True)]
    async with uow() as work:
        assert await work.slots.add_new(again) == 1
        assert await work.slots.add_new([]) == 0
        await work.commit()
    async with uow() as work:
        listed = await work.slots.upcoming(SlotQuery(since=NOW), NOW)
        assert [load.slot.id for load in listed] == [batch[0].id, batch[1].id, again[2].id]


async def test_upcoming_slots_come_soonest_first_filtered_and_paged(uow: OpenWork) -> None:
    zone, other, point, closed = a_zone(), a_zone(), a_point(), a_point(is_active=False)
    async with uow() as work:
        for z in (zone, other):
            await work.delivery_zones.add(z)
        for p in (point, closed):
            await work.pickup_points.add(p)
        await work.commit()
    past, soon, later, elsewhere = (
        a_slot(zone, -1),
        a_slot(zone, 2),
        a_slot(zone, 30),
        a_slot(other, 3),
    )
    counter, shut = a_slot(point, 4), a_slot(closed, 5)
    async with uow() as work:
        await work.slots.add_new([past, soon, later, elsewhere, counter, shut])
        await work.commit()

    async def listed(**query: object) -> list[object]:
        async with uow() as work:
            loads = await work.slots.upcoming(SlotQuery(since=NOW, **query), NOW)  # type: ignore[arg-type]
        return [load.slot for load in loads]

    assert await listed() == [soon, elsewhere, counter, later]
    assert await listed(method=FulfilmentMethod.PICKUP) == [counter]
    assert await listed(zone_id=zone.id) == [soon, later]
    assert await listed(pickup_point_id=point.id) == [counter]
    assert await listed(pickup_point_id=closed.id) == []
    assert await listed(until=at(4 * 60)) == [soon, elsewhere]
    assert await listed(limit=2) == [soon, elsewhere]
    assert await listed(after=(elsewhere.starts_at, elsewhere.id), limit=2) == [counter, later]


async def test_places_count_bookings_and_unexpired_holds(uow: OpenWork, seed: Seed) -> None:
    zone = a_zone()
    slot = a_slot(zone)
    async with uow() as work:
        await work.delivery_zones.add(zone)
        await work.slots.add(slot)
        await work.commit()
    ann, bob, cat = await seed.user(), await seed.user(), await seed.user()
    held = [a_hold(ann, slot, at(10)), a_hold(bob, slot, at(30)), a_hold(cat, slot, NOW)]
    await take_places(uow, slot, booked=2, held=held)

    async with uow() as work:
        now = await work.slots.load(slot.id, NOW)
        later = await work.slots.upcoming(SlotQuery(since=NOW), at(10))
    assert now is not None
    assert (now.booked, now.held, now.remaining) == (2, 2, 1)  # cat's hold ran out at NOW
    assert [(load.booked, load.held) for load in later] == [(2, 1)]


async def test_capacity_goes_no_lower_than_the_places_taken(uow: OpenWork, seed: Seed) -> None:
    zone = a_zone()
    slot = a_slot(zone, capacity=5)
    async with uow() as work:
        await work.delivery_zones.add(zone)
        await work.slots.add(slot)
        await work.commit()
    await take_places(uow, slot, booked=2, held=[a_hold(await seed.user(), slot, at(10))])
    new_cutoff = slot.cutoff_at - timedelta(hours=1)

    async with uow() as work:
        assert not await work.slots.update(replace(slot, capacity=2), NOW)
        assert await work.slots.update(replace(slot, capacity=3, cutoff_at=new_cutoff), NOW)
        await work.commit()
    async with uow() as work:
        assert await work.slots.get(slot.id) == replace(slot, capacity=3, cutoff_at=new_cutoff)
        assert await work.slots.update(replace(slot, capacity=2), at(10))  # the hold ran out
        assert not await work.slots.update(replace(slot, id=a_slot(zone).id), NOW)


async def test_a_slot_in_use_is_not_deleted(uow: OpenWork, seed: Seed) -> None:
    zone = a_zone()
    booked, held, lapsed = a_slot(zone, 1), a_slot(zone, 2), a_slot(zone, 3)
    async with uow() as work:
        await work.delivery_zones.add(zone)
        await work.slots.add_new([booked, held, lapsed])
        await work.commit()
    await take_places(uow, booked, booked=1)
    await take_places(uow, held, held=[a_hold(await seed.user(), held, at(10))])
    await take_places(uow, lapsed, held=[a_hold(await seed.user(), lapsed, NOW)])

    async with uow() as work:
        assert not await work.slots.delete_unused(booked.id, NOW)
        assert not await work.slots.delete_unused(held.id, NOW)
        assert await work.slots.delete_unused(lapsed.id, NOW)  # its hold ran out: it goes too
        assert not await work.slots.delete_unused(lapsed.id, NOW)
        await work.commit()
    async with uow() as work:
        assert await work.slots.get(lapsed.id) is None
        assert await work.slots.delete_unused(held.id, at(10))
