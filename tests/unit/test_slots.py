"""Slots: what a slot must say, how its places are counted, when a hold runs out, and
who may book it."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from uuid import uuid4

import pytest
from hypothesis import given
from hypothesis import strategies as st

from grocery.core.addresses import Address
from grocery.core.errors import Conflict, Invalid
from grocery.core.fulfilment.slots import (
    MAX_SLOT_CAPACITY,
    PLANNING_HORIZON,
    Slot,
    SlotHold,
    SlotLoad,
    capacity_below_booked,
    check_address_fits,
    check_bookable,
    check_plannable,
    hold_expiry,
    slot_full,
    slot_in_use,
    validate_slot,
)
from grocery.core.fulfilment.zones import DeliveryZone, FulfilmentMethod

D = Decimal
NOW = datetime(2025, 6, 2, 8, 0, tzinfo=UTC)
CENTRE = DeliveryZone(id=uuid4(), name="Centre", postal_code_prefixes=("SW1",), fee=D("3.00"))
CITY = DeliveryZone(id=uuid4(), name="City", postal_code_prefixes=("SW",), fee=D("5.00"))


def slot(
    *,
    method: FulfilmentMethod = FulfilmentMethod.DELIVERY,
    starts_in: timedelta = timedelta(days=1),
    lasts: timedelta = timedelta(hours=2),
    cutoff_before: timedelta = timedelta(hours=1),
    capacity: int = 5,
    **place: object,
) -> Slot:
    if not place:
        place = (
            {"zone_id": CENTRE.id, "pickup_point_id": None}
            if method is FulfilmentMethod.DELIVERY
            else {"zone_id": None, "pickup_point_id": uuid4()}
        )
    starts_at = NOW + starts_in
    return Slot(
        id=uuid4(),
        method=method,
        starts_at=starts_at,
        ends_at=starts_at + lasts,
        cutoff_at=starts_at - cutoff_before,
        capacity=capacity,
        **place,  # type: ignore[arg-type]
    )


def address(postal_code: str) -> Address:
    return Address(
        id=uuid4(),
        user_id=uuid4(),
        recipient="Ada",
        line1="1 Road",
        city="London",
        postal_code=postal_code,
        country="GB",
        created_at=NOW,
    )


def fields(refused: pytest.ExceptionInfo[Invalid]) -> list[object]:
    return [error["field"] for error in refused.value.errors]


def test_a_good_slot_passes() -> None:
    good = slot()
    assert validate_slot(good) is good
    check_plannable(good, NOW)


def test_a_slot_that_ends_before_it_starts_is_refused() -> None:
    with pytest.raises(Invalid) as refused:
        validate_slot(slot(lasts=timedelta(hours=-1)))
    assert fields(refused) == ["ends_at"]
    with pytest.raises(Invalid):
        validate_slot(slot(lasts=timedelta(0)))


@pytest.mark.parametrize("capacity", [0, -1, MAX_SLOT_CAPACITY + 1])
def test_capacity_must_be_positive_and_sane(capacity: int) -> None:
    with pytest.raises(Invalid) as refused:
        validate_slot(slot(capacity=capacity))
    assert fields(refused) == ["capacity"]


def test_the_cutoff_comes_at_the_start_at_the_latest() -> None:
    validate_slot(slot(cutoff_before=timedelta(0)))
    with pytest.raises(Invalid) as refused:
        validate_slot(slot(cutoff_before=-timedelta(minutes=1)))
    assert fields(refused) == ["cutoff_at"]


def test_a_slot_lasts_a_day_at_most_and_needs_time_zones() -> None:
    with pytest.raises(Invalid) as refused:
        validate_slot(slot(lasts=timedelta(hours=25)))
    assert fields(refused) == ["ends_at"]
    naive = slot()
    naive = Slot(
        id=naive.id,
        method=naive.method,
        zone_id=naive.zone_id,
        pickup_point_id=None,
        starts_at=naive.starts_at.replace(tzinfo=None),
        ends_at=naive.ends_at,
        cutoff_at=naive.cutoff_at.replace(tzinfo=None),
        capacity=1,
    )
    with pytest.raises(Invalid) as refused:
        validate_slot(naive)
    assert fields(refused) == ["starts_at", "cutoff_at"]


def test_a_slot_names_the_place_its_method_needs_and_only_that() -> None:
    with pytest.raises(Invalid) as refused:
        validate_slot(slot(zone_id=None, pickup_point_id=None))
    assert fields(refused) == ["zone_id"]
    with pytest.raises(Invalid) as refused:
        validate_slot(slot(zone_id=CENTRE.id, pickup_point_id=uuid4()))
    assert fields(refused) == ["pickup_point_id"]
    with pytest.raises(Invalid) as refused:
        validate_slot(slot(method=FulfilmentMethod.PICKUP, zone_id=CENTRE.id, pickup_point_id=None))
    assert fields(refused) == ["pickup_point_id", "zone_id"]


def test_slots_are_planned_for_the_coming_year_only() -> None:
    with pytest.raises(Invalid) as refused:
        check_plannable(slot(starts_in=timedelta(0)), NOW)
    assert fields(refused) == ["starts_at"]
    check_plannable(slot(starts_in=PLANNING_HORIZON), NOW)
    with pytest.raises(Invalid):
        check_plannable(slot(starts_in=PLANNING_HORIZON + timedelta(minutes=1)), NOW)


def test_a_load_counts_bookings_and_holds_against_the_capacity() -> None:
    load = SlotLoad(slot=slot(capacity=5), booked=2, held=2, zone_fee=D("3.00"))
    assert (load.taken, load.remaining, load.fee) == (4, 1, D("3.00"))
    assert load.available(NOW)
    full = SlotLoad(slot=slot(capacity=5), booked=3, held=2, zone_fee=None)
    assert (full.remaining, full.fee, full.available(NOW)) == (0, D("0.00"), False)


def test_a_load_is_never_negative_when_a_capacity_was_lowered_under_it() -> None:
    assert SlotLoad(slot=slot(capacity=1), booked=2, held=0, zone_fee=None).remaining == 0


def test_a_slot_past_its_cutoff_is_not_available() -> None:
    closing = slot(starts_in=timedelta(hours=2), cutoff_before=timedelta(hours=1))
    load = SlotLoad(slot=closing, booked=0, held=0, zone_fee=None)
    assert load.available(NOW + timedelta(minutes=59))
    assert not load.available(NOW + timedelta(hours=1))
    check_bookable(closing, NOW + timedelta(minutes=59))
    with pytest.raises(Invalid) as refused:
        check_bookable(closing, NOW + timedelta(hours=1))
    assert refused.value.code == "slot_closed"


def test_a_closed_pickup_point_closes_its_slots() -> None:
    with pytest.raises(Invalid) as refused:
        check_bookable(slot(method=FulfilmentMethod.PICKUP), NOW, place_open=False)
    assert refused.value.code == "slot_closed"


# --- holds ---


def test_a_hold_runs_out_after_the_hold_minutes_exactly() -> None:
    until = hold_expiry(NOW, 120)
    assert until == NOW + timedelta(hours=2)
    hold = SlotHold(user_id=uuid4(), slot_id=uuid4(), address_id=None, held_until=until)
    assert hold.counts_at(NOW)
    assert hold.counts_at(until - timedelta(microseconds=1))
    assert not hold.counts_at(until)
    assert not hold.counts_at(until + timedelta(days=1))


def test_hold_expiry_is_elapsed_time_across_a_clock_change() -> None:
    # 01:30 in London on the night clocks go forward (00:30 UTC): two hours later is
    # 02:30 UTC, 03:30 on the local clock, whatever the wall clock did meanwhile.
    before_change = datetime(2025, 3, 30, 0, 30, tzinfo=UTC)
    assert hold_expiry(before_change, 120) == datetime(2025, 3, 30, 2, 30, tzinfo=UTC)


@given(st.integers(0, 10_000), st.integers(0, 10_000))
def test_a_hold_counts_exactly_until_its_minutes_have_passed(minutes: int, later: int) -> None:
    hold = SlotHold(
        user_id=uuid4(), slot_id=uuid4(), address_id=None, held_until=hold_expiry(NOW, minutes)
    )
    assert hold.counts_at(NOW + timedelta(minutes=later)) == (later < minutes)


# --- addresses and slots ---


def test_a_delivery_slot_takes_an_address_in_its_own_zone() -> None:
    centre_slot = slot(zone_id=CENTRE.id, pickup_point_id=None)
    check_address_fits(centre_slot, address("sw1a 1aa"), CENTRE.id)
    with pytest.raises(Invalid) as refused:
        check_address_fits(centre_slot, address("SW7 2AZ"), CITY.id)  # the city's
    assert refused.value.code == "not_delivered_here"
    with pytest.raises(Invalid) as refused:
        check_address_fits(centre_slot, address("N1 9GU"), None)  # nobody's
    assert refused.value.code == "not_delivered_here"


def test_a_delivery_slot_needs_an_address_and_a_pickup_slot_takes_none() -> None:
    with pytest.raises(Invalid) as refused:
        check_address_fits(slot(), None, None)
    assert (refused.value.code, fields(refused)) == ("validation_error", ["address_id"])
    pickup = slot(method=FulfilmentMethod.PICKUP)
    check_address_fits(pickup, None, None)
    with pytest.raises(Invalid) as refused:
        check_address_fits(pickup, address("SW1A 1AA"), CENTRE.id)
    assert (refused.value.code, fields(refused)) == ("validation_error", ["address_id"])


def test_the_contract_codes_of_full_and_used_slots() -> None:
    assert isinstance(slot_full(), Conflict)
    assert slot_full().code == "slot_full"
    assert slot_in_use().code == "slot_in_use"
    below = capacity_below_booked(4)
    assert (below.code, below.errors[0]["message"]) == (
        "capacity_below_booked",
        "must be at least 4",
    )
