"""SlotHoldRepository and SlotBookingRepository: places held and booked never exceed a
slot's capacity, an expired hold takes none, and an order's place goes back when it is
cancelled."""

from __future__ import annotations

from decimal import Decimal

from grocery.core.addresses import Address
from grocery.core.fulfilment.pickup_points import PickupPointRef
from grocery.core.fulfilment.slots import OrderFulfilment, Slot
from grocery.core.fulfilment.zones import PICKUP_TERMS, DeliveryZone, FulfilmentMethod
from grocery.core.identity import User
from grocery.core.orders import Order, OrderStatus
from tests.ports.places import a_hold, a_point, a_slot, a_zone, an_address, take_places
from tests.ports.shop import NOW, OpenWork, Seed, at


async def a_zone_slot(uow: OpenWork, capacity: int = 2) -> tuple[DeliveryZone, Slot]:
    zone = a_zone(free_delivery_over=Decimal("50.00"), min_order_amount=Decimal("15.00"))
    slot = a_slot(zone, capacity=capacity)
    async with uow() as work:
        await work.delivery_zones.add(zone)
        await work.slots.add(slot)
        await work.commit()
    return zone, slot


async def stored_address(uow: OpenWork, user: User) -> Address:
    address = an_address(user, is_default=True)
    async with uow() as work:
        await work.addresses.add(address)
        await work.commit()
    return address


async def load(uow: OpenWork, slot: Slot) -> tuple[int, int]:
    """(booked, held) at NOW."""
    async with uow() as work:
        found = await work.slots.load(slot.id, NOW)
    assert found is not None
    return found.booked, found.held


async def booked_order(uow: OpenWork, seed: Seed, user: User, slot: Slot) -> Order:
    product = await seed.product()
    fulfilment = OrderFulfilment(
        method=slot.method,
        slot_id=slot.id,
        starts_at=slot.starts_at,
        ends_at=slot.ends_at,
        address=an_address(user),
        pickup_point=None,
    )
    return await seed.order(user, (product, 1), fulfilment=fulfilment)


async def test_a_hold_is_read_back_with_its_slot_terms_and_address(
    uow: OpenWork, seed: Seed
) -> None:
    zone, slot = await a_zone_slot(uow)
    ann = await seed.user()
    address = await stored_address(uow, ann)
    hold = a_hold(ann, slot, at(120), address)

    async with uow() as work:
        assert await work.holds.hold(hold, NOW)
        await work.commit()

    async with uow() as work:
        held = await work.holds.of_customer(ann.id)
        assert await work.holds.of_customer((await seed.user()).id) is None
    assert held is not None
    assert (held.hold, held.slot, held.terms, held.address) == (hold, slot, zone.terms, address)
    assert (held.place_open, held.pickup_point) == (True, None)
    assert await load(uow, slot) == (0, 1)


async def test_a_pickup_hold_names_its_counter(uow: OpenWork, seed: Seed) -> None:
    point = a_point(name="Front counter")
    slot = a_slot(point)
    async with uow() as work:
        await work.pickup_points.add(point)
        await work.slots.add(slot)
        await work.commit()
    ann = await seed.user()

    async with uow() as work:
        assert await work.holds.hold(a_hold(ann, slot, at(60)), NOW)
        await work.commit()
        held = await work.holds.of_customer(ann.id)

    assert held is not None
    assert (held.terms, held.address) == (PICKUP_TERMS, None)
    assert held.pickup_point == PickupPointRef(id=point.id, name="Front counter")


async def test_a_full_slot_refuses_a_hold_and_changes_nothing(uow: OpenWork, seed: Seed) -> None:
    _, slot = await a_zone_slot(uow, capacity=2)
    ann, bob, cy = [await seed.user() for _ in range(3)]
    await take_places(uow, slot, booked=1, held=[a_hold(ann, slot, at(30))])
    _, elsewhere = await a_zone_slot(uow)
    async with uow() as work:
        assert await work.holds.hold(a_hold(cy, elsewhere, at(30)), NOW)
        await work.commit()

    async with uow() as work:
        assert not await work.holds.hold(a_hold(bob, slot, at(120)), NOW)
        assert not await work.holds.hold(a_hold(cy, slot, at(120)), NOW)
        await work.commit()

    assert await load(uow, slot) == (1, 1)
    async with uow() as work:
        kept = await work.holds.of_customer(cy.id)
    assert kept is not None and kept.slot.id == elsewhere.id  # cy keeps the one she had


async def test_an_expired_hold_takes_no_place(uow: OpenWork, seed: Seed) -> None:
    _, slot = await a_zone_slot(uow, capacity=1)
    ann, bob = await seed.user(), await seed.user()
    await take_places(uow, slot, held=[a_hold(ann, slot, NOW)])  # runs out exactly now

    async with uow() as work:
        assert await work.holds.hold(a_hold(bob, slot, at(120)), NOW)
        await work.commit()

    assert await load(uow, slot) == (0, 1)


async def test_holding_again_moves_the_hold_and_frees_the_first_slot(
    uow: OpenWork, seed: Seed
) -> None:
    _, first = await a_zone_slot(uow, capacity=1)
    _, second = await a_zone_slot(uow, capacity=1)
    ann, bob = await seed.user(), await seed.user()
    async with uow() as work:
        assert await work.holds.hold(a_hold(ann, first, at(60)), NOW)
        assert await work.holds.hold(a_hold(ann, first, at(90)), NOW)  # her own place: renewed
        assert await work.holds.hold(a_hold(ann, second, at(120)), NOW)
        assert await work.holds.hold(a_hold(bob, first, at(120)), NOW)
        await work.commit()

    assert (await load(uow, first), await load(uow, second)) == ((0, 1), (0, 1))


async def test_a_released_hold_frees_its_place(uow: OpenWork, seed: Seed) -> None:
    _, slot = await a_zone_slot(uow)
    ann = await seed.user()
    async with uow() as work:
        await work.holds.hold(a_hold(ann, slot, at(60)), NOW)
        await work.commit()

    async with uow() as work:
        assert await work.holds.release(ann.id)
        assert not await work.holds.release(ann.id)
        await work.commit()

    assert await load(uow, slot) == (0, 0)


async def test_booking_turns_the_hold_into_the_orders_place(uow: OpenWork, seed: Seed) -> None:
    _, slot = await a_zone_slot(uow, capacity=2)
    ann = await seed.user()
    async with uow() as work:
        await work.holds.hold(a_hold(ann, slot, at(60)), NOW)
        await work.commit()
    order = await booked_order(uow, seed, ann, slot)

    async with uow() as work:
        assert await work.bookings.book(slot.id, order.id, ann.id, NOW)
        await work.commit()

    assert await load(uow, slot) == (1, 0)
    async with uow() as work:
        assert await work.holds.of_customer(ann.id) is None
        assert (await work.orders.get(order.id)) == order


async def test_an_expired_hold_is_booked_only_while_there_is_room(
    uow: OpenWork, seed: Seed
) -> None:
    _, slot = await a_zone_slot(uow, capacity=1)
    ann, bob = await seed.user(), await seed.user()
    await take_places(uow, slot, held=[a_hold(ann, slot, at(-10))])
    order = await booked_order(uow, seed, ann, slot)
    async with uow() as work:
        assert await work.holds.hold(a_hold(bob, slot, at(60)), NOW)
        await work.commit()

    async with uow() as work:
        assert not await work.bookings.book(slot.id, order.id, ann.id, NOW)
    assert await load(uow, slot) == (0, 1)

    async with uow() as work:
        await work.holds.release(bob.id)
        assert await work.bookings.book(slot.id, order.id, ann.id, NOW)
        await work.commit()
    assert await load(uow, slot) == (1, 0)


async def test_releasing_a_booking_gives_the_place_back_once(uow: OpenWork, seed: Seed) -> None:
    _, slot = await a_zone_slot(uow, capacity=1)
    ann = await seed.user()
    order = await booked_order(uow, seed, ann, slot)
    unbooked = await seed.order(ann, (await seed.product(), 1))
    async with uow() as work:
        assert await work.bookings.book(slot.id, order.id, ann.id, NOW)
        await work.commit()

    async with uow() as work:
        assert await work.bookings.release(order.id)
        assert not await work.bookings.release(unbooked.id)
        await work.commit()

    assert await load(uow, slot) == (0, 0)


async def test_a_days_booked_orders_come_by_slot_start(uow: OpenWork, seed: Seed) -> None:
    zone = a_zone()
    late, early, next_day = a_slot(zone, 26), a_slot(zone, 24), a_slot(zone, 50)
    async with uow() as work:
        await work.delivery_zones.add(zone)
        for slot in (late, early, next_day):
            await work.slots.add(slot)
        await work.commit()
    ann = await seed.user()
    in_late = await booked_order(uow, seed, ann, late)
    in_early = await booked_order(uow, seed, ann, early)
    await booked_order(uow, seed, ann, next_day)
    await seed.order(ann, (await seed.product(), 1))  # no slot
    async with uow() as work:
        await work.orders.move(
            in_early.id, to=OrderStatus.CANCELLED, allowed_from={OrderStatus.PLACED}, at=NOW
        )
        await work.commit()
    day = {"starts_from": at(20 * 60), "starts_before": at(44 * 60)}

    async with uow() as work:
        everything = await work.orders.of_slot_day(**day, status=None, after=None, limit=10)
        placed = await work.orders.of_slot_day(
            **day, status=OrderStatus.PLACED, after=None, limit=10
        )
        after_first = await work.orders.of_slot_day(
            **day, status=None, after=(early.starts_at, in_early.id), limit=10
        )
        cancelled = await work.orders.page(
            customer=ann.id, status=OrderStatus.CANCELLED, after=None, limit=10
        )

    assert [o.id for o in everything] == [in_early.id, in_late.id]
    assert [o.id for o in placed] == [in_late.id]
    assert [o.id for o in after_first] == [in_late.id]
    assert [o.id for o in cancelled] == [in_early.id]


async def test_a_days_booked_orders_are_counted_by_slot_and_status(
    uow: OpenWork, seed: Seed
) -> None:
    zone, point = a_zone(), a_point(name="Back door")
    early, late, next_day = a_slot(zone, 24), a_slot(point, 26), a_slot(zone, 50)
    ann = await seed.user()
    for _ in range(3):
        await booked_order(uow, seed, ann, early)
    moved = await booked_order(uow, seed, ann, early)
    collected = OrderFulfilment(
        method=late.method,
        slot_id=late.id,
        starts_at=late.starts_at,
        ends_at=late.ends_at,
        address=None,
        pickup_point=PickupPointRef(id=point.id, name=point.name),
    )
    for _ in range(2):
        await seed.order(ann, (await seed.product(), 1), fulfilment=collected)
    await booked_order(uow, seed, ann, next_day)
    await seed.order(ann, (await seed.product(), 1))  # no slot
    async with uow() as work:
        await work.orders.move(
            moved.id, to=OrderStatus.PROCESSING, allowed_from={OrderStatus.PLACED}, at=NOW
        )
        await work.commit()

    async with uow() as work:
        counted = await work.orders.count_slot_day(
            starts_from=at(20 * 60), starts_before=at(44 * 60)
        )

    delivery, pickup = FulfilmentMethod.DELIVERY, FulfilmentMethod.PICKUP
    assert [(t.slot_id, t.method, t.pickup_point, t.status, t.orders) for t in counted] == [
        (early.id, delivery, None, OrderStatus.PLACED, 3),
        (early.id, delivery, None, OrderStatus.PROCESSING, 1),
        (late.id, pickup, "Back door", OrderStatus.PLACED, 2),
    ]
    assert (counted[0].starts_at, counted[0].ends_at) == (early.starts_at, early.ends_at)
