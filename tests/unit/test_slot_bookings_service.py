"""Holding a slot for the cart, checking out with it and cancelling it, on the in-memory
adapters: who may hold which slot, the fee the cart pays, the hold becoming the order's
booking, and the refusals that leave everything as it was."""

from __future__ import annotations

import copy
from dataclasses import replace
from datetime import timedelta
from decimal import Decimal
from typing import Any
from uuid import UUID, uuid4

import msgspec
import pytest

from grocery.core.addresses import Address, StreetAddress
from grocery.core.errors import Conflict, Forbidden, Invalid, NotFound
from grocery.core.fulfilment.pickup_points import PickupPoint, PickupPointRef
from grocery.core.fulfilment.slots import Slot
from grocery.core.fulfilment.zones import DeliveryZone, FulfilmentMethod
from grocery.core.identity import Principal, Role
from grocery.core.orders import Order, OrderStatus
from grocery.core.services.checkout import CheckoutRequest
from grocery.core.services.slot_holds import SlotHoldService
from tests.unit.orders_shop import NOW, Shop, answer_with_id

D = Decimal
HOLD_MINUTES = 120


class SlotShop(Shop):
    def __init__(self, *, require_slot: bool = False) -> None:
        super().__init__(require_slot=require_slot)
        self.holds = SlotHoldService(uow=self.uow, clock=self.clock, hold_minutes=HOLD_MINUTES)
        self.zone = DeliveryZone(
            id=uuid4(),
            name="Centre",
            postal_code_prefixes=("SW1",),
            fee=D("4.99"),
            free_delivery_over=D("50.00"),
            min_order_amount=D("10.00"),
        )
        self.store.fulfilment.zones[self.zone.id] = self.zone

    def slot(self, place: DeliveryZone | PickupPoint | None = None, **fields: Any) -> Slot:
        place = place or self.zone
        starts_at = NOW + timedelta(days=1)
        delivery = isinstance(place, DeliveryZone)
        values: dict[str, Any] = {
            "id": uuid4(),
            "method": FulfilmentMethod.DELIVERY if delivery else FulfilmentMethod.PICKUP,
            "zone_id": place.id if delivery else None,
            "pickup_point_id": None if delivery else place.id,
            "starts_at": starts_at,
            "ends_at": starts_at + timedelta(hours=2),
            "cutoff_at": starts_at - timedelta(hours=2),
            "capacity": 2,
        }
        slot = Slot(**{**values, **fields})
        self.store.fulfilment.slots[slot.id] = slot
        return slot

    def point(self, **fields: Any) -> PickupPoint:
        point = PickupPoint(
            id=uuid4(),
            name="Front counter",
            address=StreetAddress(
                line1="1 High St", city="London", postal_code="SW1A 1AA", country="GB"
            ),
            **fields,
        )
        self.store.fulfilment.pickup_points[point.id] = point
        return point

    def address(self, user_id: UUID, postal_code: str = "SW1Y 4JH") -> Address:
        address = Address(
            id=uuid4(),
            user_id=user_id,
            recipient="Ada",
            line1="12 St James's Square",
            city="London",
            postal_code=postal_code,
            country="GB",
            created_at=NOW,
        )
        self.store.addresses.addresses[address.id] = address
        return address

    def taken(self, slot: Slot) -> tuple[int, int]:
        """(booked, held) now."""
        tables = self.store.fulfilment
        return tables.booked.get(slot.id, 0), tables.held(slot.id, self.clock.moment)

    def later(self, minutes: int) -> None:
        self.clock.moment += timedelta(minutes=minutes)

    async def place_now(self, user_id: UUID) -> Order:
        answer = await self.checkout.place_order(CheckoutRequest(user_id=user_id), answer_with_id)
        return self.store.orders.orders[UUID(msgspec.json.decode(answer.body)["id"])]


@pytest.fixture
def shop() -> SlotShop:
    return SlotShop()


@pytest.fixture
def ann() -> UUID:
    return uuid4()


# --- holding ------------------------------------------------------------------


async def test_a_held_delivery_slot_prices_the_cart_with_the_zone_fee(
    shop: SlotShop, ann: UUID
) -> None:
    slot, home = shop.slot(), shop.address(ann)
    shop.fill(ann, (shop.product("12.00"), 1))

    cart = await shop.holds.hold(ann, slot.id, home.id)

    assert (cart.subtotal, cart.delivery_fee, cart.total) == (D("12.00"), D("4.99"), D("16.99"))
    assert cart.fulfilment is not None
    assert (cart.fulfilment.slot_id, cart.fulfilment.address_id) == (slot.id, home.id)
    assert cart.fulfilment.held_until == shop.clock.moment + timedelta(minutes=HOLD_MINUTES)
    assert shop.taken(slot) == (0, 1)


async def test_a_pickup_slot_costs_nothing_and_takes_no_address(shop: SlotShop, ann: UUID) -> None:
    point = shop.point()
    slot = shop.slot(point)
    shop.fill(ann, (shop.product("3.00"), 1))

    cart = await shop.holds.hold(ann, slot.id, None)

    assert (cart.delivery_fee, cart.total) == (D("0.00"), D("3.00"))
    with pytest.raises(Invalid) as refused:
        await shop.holds.hold(ann, slot.id, shop.address(ann).id)
    assert refused.value.errors == [
        {"field": "address_id", "message": "must not be given for a pickup slot"}
    ]


async def test_holding_another_slot_lets_go_of_the_first(shop: SlotShop, ann: UUID) -> None:
    first, second = shop.slot(), shop.slot(capacity=1)
    home = shop.address(ann)

    await shop.holds.hold(ann, first.id, home.id)
    await shop.holds.hold(ann, second.id, home.id)

    assert (shop.taken(first), shop.taken(second)) == ((0, 0), (0, 1))


async def test_a_full_slot_is_refused_and_nothing_changes(shop: SlotShop, ann: UUID) -> None:
    slot = shop.slot(capacity=1)
    bob = uuid4()
    await shop.holds.hold(bob, slot.id, shop.address(bob).id)
    home = shop.address(ann)
    before = copy.deepcopy(shop.store)

    with pytest.raises(Conflict) as refused:
        await shop.holds.hold(ann, slot.id, home.id)

    assert refused.value.code == "slot_full"
    assert shop.store == before


async def test_an_expired_hold_leaves_its_place_to_others(shop: SlotShop, ann: UUID) -> None:
    slot = shop.slot(capacity=1)
    bob = uuid4()
    await shop.holds.hold(bob, slot.id, shop.address(bob).id)
    shop.later(HOLD_MINUTES)

    await shop.holds.hold(ann, slot.id, shop.address(ann).id)

    assert shop.taken(slot) == (0, 1)


@pytest.mark.parametrize(
    ("case", "code"),
    [
        ("past_cutoff", "slot_closed"),
        ("counter_closed", "slot_closed"),
        ("outside_zone", "not_delivered_here"),
        ("other_zone", "not_delivered_here"),
    ],
)
async def test_a_slot_that_cant_be_booked_here_is_refused(
    shop: SlotShop, ann: UUID, case: str, code: str
) -> None:
    address_id: UUID | None = shop.address(ann).id
    if case == "past_cutoff":
        slot = shop.slot(cutoff_at=NOW)
    elif case == "counter_closed":
        slot, address_id = shop.slot(shop.point(is_active=False)), None
    elif case == "outside_zone":
        slot, address_id = shop.slot(), shop.address(ann, "E1 6AN").id
    else:
        other = replace(shop.zone, id=uuid4(), postal_code_prefixes=("SW1Y",))
        shop.store.fulfilment.zones[other.id] = other
        slot = shop.slot()  # SW1Y 4JH belongs to the longer prefix's zone

    with pytest.raises(Invalid) as refused:
        await shop.holds.hold(ann, slot.id, address_id)

    assert refused.value.code == code
    assert shop.taken(slot) == (0, 0)


async def test_an_unknown_slot_or_someone_elses_address_is_not_found(
    shop: SlotShop, ann: UUID
) -> None:
    slot = shop.slot()
    with pytest.raises(NotFound):
        await shop.holds.hold(ann, uuid4(), shop.address(ann).id)
    with pytest.raises(NotFound):
        await shop.holds.hold(ann, slot.id, shop.address(uuid4()).id)
    with pytest.raises(Invalid) as refused:
        await shop.holds.hold(ann, slot.id, None)
    assert refused.value.errors == [
        {"field": "address_id", "message": "is required for a delivery slot"}
    ]


async def test_releasing_the_hold_frees_the_place_and_the_fee(shop: SlotShop, ann: UUID) -> None:
    slot = shop.slot()
    await shop.holds.hold(ann, slot.id, shop.address(ann).id)

    await shop.holds.release(ann)
    await shop.holds.release(ann)  # nothing held: no error

    assert shop.taken(slot) == (0, 0)


# --- checking out -------------------------------------------------------------


async def test_checkout_books_the_held_slot_and_copies_the_address(
    shop: SlotShop, ann: UUID
) -> None:
    slot, home = shop.slot(), shop.address(ann)
    shop.fill(ann, (shop.product("6.00"), 2))
    await shop.holds.hold(ann, slot.id, home.id)

    order = await shop.place_now(ann)

    assert (order.subtotal, order.delivery_fee, order.total) == (D("12.00"), D("4.99"), D("16.99"))
    assert order.fulfilment is not None
    assert (order.fulfilment.slot_id, order.fulfilment.address) == (slot.id, home)
    assert (order.fulfilment.starts_at, order.fulfilment.ends_at) == (slot.starts_at, slot.ends_at)
    assert shop.taken(slot) == (1, 0)
    assert ann not in shop.store.fulfilment.holds


async def test_a_pickup_order_names_its_counter_and_pays_no_fee(shop: SlotShop, ann: UUID) -> None:
    point = shop.point()
    slot = shop.slot(point)
    shop.fill(ann, (shop.product("3.00"), 1))
    await shop.holds.hold(ann, slot.id, None)

    order = await shop.place_now(ann)

    assert (order.delivery_fee, order.total) == (D("0.00"), D("3.00"))
    assert order.fulfilment is not None
    assert order.fulfilment.pickup_point == PickupPointRef(id=point.id, name="Front counter")
    assert order.fulfilment.address is None


async def test_delivery_is_free_once_the_goods_after_discount_reach_the_threshold(
    shop: SlotShop, ann: UUID
) -> None:
    slot = shop.slot()
    shop.fill(ann, (shop.product("60.00"), 1), promo=shop.promo(value=D("10")))
    await shop.holds.hold(ann, slot.id, shop.address(ann).id)

    order = await shop.place_now(ann)

    assert (order.discount, order.delivery_fee, order.total) == (D("6.00"), D("0.00"), D("54.00"))


async def test_an_expired_hold_is_taken_again_when_there_is_room(shop: SlotShop, ann: UUID) -> None:
    slot = shop.slot(capacity=1)
    shop.fill(ann, (shop.product("20.00"), 1))
    await shop.holds.hold(ann, slot.id, shop.address(ann).id)
    shop.later(HOLD_MINUTES + 1)

    order = await shop.place_now(ann)

    assert order.fulfilment is not None and shop.taken(slot) == (1, 0)


async def test_an_expired_hold_is_refused_when_the_slot_filled_meanwhile(
    shop: SlotShop, ann: UUID
) -> None:
    slot = shop.slot(capacity=1)
    shop.fill(ann, (shop.product("20.00"), 1))
    await shop.holds.hold(ann, slot.id, shop.address(ann).id)
    shop.later(HOLD_MINUTES + 1)
    bob = uuid4()
    await shop.holds.hold(bob, slot.id, shop.address(bob).id)
    before = copy.deepcopy(shop.store)

    with pytest.raises(Conflict) as refused:
        await shop.place_now(ann)

    assert refused.value.code == "slot_full"
    assert shop.store == before


async def test_checkout_past_the_cutoff_is_refused(shop: SlotShop, ann: UUID) -> None:
    slot = shop.slot(cutoff_at=NOW + timedelta(minutes=30))
    shop.fill(ann, (shop.product("20.00"), 1))
    await shop.holds.hold(ann, slot.id, shop.address(ann).id)
    shop.later(30)
    before = copy.deepcopy(shop.store)

    with pytest.raises(Invalid) as refused:
        await shop.place_now(ann)

    assert refused.value.code == "slot_closed"
    assert shop.store == before


async def test_goods_below_the_zones_minimum_are_refused(shop: SlotShop, ann: UUID) -> None:
    slot = shop.slot()
    shop.fill(ann, (shop.product("10.50"), 1), promo=shop.promo(value=D("10")))
    await shop.holds.hold(ann, slot.id, shop.address(ann).id)
    before = copy.deepcopy(shop.store)

    with pytest.raises(Invalid) as refused:  # 10.50 - 1.05 = 9.45, under 10.00
        await shop.place_now(ann)

    assert refused.value.code == "min_order_not_met"
    assert shop.store == before


async def test_a_shop_that_requires_a_slot_refuses_a_cart_without(ann: UUID) -> None:
    shop = SlotShop(require_slot=True)
    shop.fill(ann, (shop.product(), 1))

    with pytest.raises(Invalid) as refused:
        await shop.place_now(ann)
    assert refused.value.code == "slot_required"

    await shop.holds.hold(ann, shop.slot().id, shop.address(ann).id)
    shop.fill(ann, (shop.product("20.00"), 1))
    assert (await shop.place_now(ann)).fulfilment is not None


async def test_without_a_slot_an_order_has_no_fulfilment_and_no_fee(
    shop: SlotShop, ann: UUID
) -> None:
    shop.fill(ann, (shop.product("2.00"), 1))
    order = await shop.place_now(ann)
    assert (order.fulfilment, order.delivery_fee, order.total) == (None, D("0.00"), D("2.00"))


# --- cancelling and planning --------------------------------------------------


async def test_cancelling_an_order_frees_its_place(shop: SlotShop, ann: UUID) -> None:
    slot = shop.slot(capacity=1)
    shop.fill(ann, (shop.product("20.00"), 1))
    await shop.holds.hold(ann, slot.id, shop.address(ann).id)
    order = await shop.place_now(ann)

    await shop.orders.cancel(Principal(user_id=ann, role=Role.CUSTOMER), order.id)

    assert shop.taken(slot) == (0, 0)
    bob = uuid4()
    await shop.holds.hold(bob, slot.id, shop.address(bob).id)
    assert shop.taken(slot) == (0, 1)


async def test_managers_plan_a_day_by_slot_start(shop: SlotShop, ann: UUID) -> None:
    late = shop.slot(
        starts_at=NOW + timedelta(days=1, hours=4), ends_at=NOW + timedelta(days=1, hours=5)
    )
    early = shop.slot()
    orders = []
    for slot in (late, early):
        shop.fill(ann, (shop.product("20.00"), 1))
        await shop.holds.hold(ann, slot.id, shop.address(ann).id)
        orders.append(await shop.place_now(ann))
    manager = Principal(user_id=uuid4(), role=Role.MANAGER)
    day = (NOW + timedelta(days=1)).date()  # noon UTC: the same day in Paris

    page = await shop.orders.of_slot_day(
        manager, day, status=OrderStatus.PLACED, after=None, limit=10
    )
    elsewhere = await shop.orders.of_slot_day(
        manager, day + timedelta(days=1), status=None, after=None, limit=10
    )

    assert [order.id for order in page.orders] == [orders[1].id, orders[0].id]
    assert elsewhere.orders == []
    with pytest.raises(Forbidden):
        await shop.orders.of_slot_day(
            Principal(user_id=ann, role=Role.CUSTOMER), day, status=None, after=None, limit=10
        )


async def test_an_address_the_zones_moved_elsewhere_since_the_hold_is_refused(
    shop: SlotShop, ann: UUID
) -> None:
    slot = shop.slot()
    shop.fill(ann, (shop.product("12.00"), 1))
    await shop.holds.hold(ann, slot.id, shop.address(ann).id)  # SW1Y 4JH, in SW1's zone
    shop.store.fulfilment.zones[shop.zone.id] = replace(shop.zone, postal_code_prefixes=("SW2",))
    before = copy.deepcopy(shop.store)

    with pytest.raises(Invalid) as refused:
        await shop.place_now(ann)

    assert refused.value.code == "not_delivered_here"
    assert shop.store == before
