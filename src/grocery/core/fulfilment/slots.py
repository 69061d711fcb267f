"""Slots: when the shop delivers to a zone or hands orders out at a counter, and how many.

A slot's places are taken by holds (a cart's, until `held_until`) and bookings (an order's,
until it is cancelled). These rules say when a slot may be planned, changed, held and
booked; the count itself is kept honest by the database (see the package's docstring).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from uuid import UUID

from grocery.core.addresses import Address
from grocery.core.errors import Conflict, ErrorDetail, Invalid, Problems, field_error
from grocery.core.fulfilment.pickup_points import PickupPointRef
from grocery.core.fulfilment.zones import DeliveryTerms, FulfilmentMethod
from grocery.core.money import ZERO

MAX_SLOT_CAPACITY = 10_000
LONGEST_SLOT = timedelta(hours=24)
# How far ahead slots may be planned: beyond a year it is a typo.
PLANNING_HORIZON = timedelta(days=366)
DEFAULT_HOLD_MINUTES = 120
MAX_HOLD_MINUTES = 7 * 24 * 60


@dataclass(frozen=True, kw_only=True, slots=True)
class Slot:
    id: UUID
    method: FulfilmentMethod
    zone_id: UUID | None  # delivery slots
    pickup_point_id: UUID | None  # pickup slots
    starts_at: datetime
    ends_at: datetime
    cutoff_at: datetime  # booking closes here, at the start at the latest
    capacity: int

    def is_open(self, now: datetime) -> bool:
        return now < self.cutoff_at


@dataclass(frozen=True, kw_only=True, slots=True)
class SlotLoad:
    """A slot with its places taken: `booked` by live orders, `held` by unexpired holds."""

    slot: Slot
    booked: int
    held: int
    zone_fee: Decimal | None  # the delivery zone's fee; None for a pickup slot

    @property
    def taken(self) -> int:
        return self.booked + self.held

    @property
    def remaining(self) -> int:
        return max(self.slot.capacity - self.taken, 0)

    @property
    def fee(self) -> Decimal:
        """What delivery in this slot costs before any free-delivery threshold; 0 for pickup."""
        return ZERO if self.zone_fee is None else self.zone_fee

    def available(self, now: datetime) -> bool:
        return self.remaining > 0 and self.slot.is_open(now)


SlotMark = tuple[datetime, UUID]
"""Where a page of slots ended: the last slot's (starts_at, id)."""


@dataclass(frozen=True, kw_only=True, slots=True)
class SlotQuery:
    """Upcoming slots (starting after `since`), soonest first, one keyset page."""

    since: datetime
    until: datetime | None = None
    method: FulfilmentMethod | None = None
    zone_id: UUID | None = None
    pickup_point_id: UUID | None = None
    after: SlotMark | None = None
    limit: int = 20


def validate_slot(slot: Slot) -> Slot:
    """The slot, or Invalid listing each fault (the edited whole, for edits too)."""
    Problems(
        place_errors(slot.method, slot.zone_id, slot.pickup_point_id),
        _time_errors(slot),
        capacity_errors(slot.capacity),
    ).raise_if_any("The slot is not valid.")
    return slot


def check_plannable(slot: Slot, now: datetime) -> None:
    """Invalid for a new slot that has started already or starts beyond the planning horizon."""
    if slot.starts_at <= now:
        message = "must be in the future"
    elif slot.starts_at > now + PLANNING_HORIZON:
        message = f"must be within {PLANNING_HORIZON.days} days from now"
    else:
        return
    raise Invalid(f"starts_at {message}.", errors=[field_error("starts_at", message)])


def place_errors(
    method: FulfilmentMethod, zone_id: UUID | None, pickup_point_id: UUID | None
) -> list[ErrorDetail]:
    """Why a slot of this method can't be at this place: a delivery slot names a zone, a
    pickup slot a pickup point, and neither names both."""
    if method is FulfilmentMethod.DELIVERY:
        wanted, unwanted = ("zone_id", zone_id), ("pickup_point_id", pickup_point_id)
    else:
        wanted, unwanted = ("pickup_point_id", pickup_point_id), ("zone_id", zone_id)
    errors = []
    if wanted[1] is None:
        errors.append(field_error(wanted[0], f"is required for a {method} slot"))
    if unwanted[1] is not None:
        errors.append(field_error(unwanted[0], f"must not be given for a {method} slot"))
    return errors


def capacity_errors(capacity: int) -> list[ErrorDetail]:
    """Why a slot can't have this many places, if it can't."""
    if 0 < capacity <= MAX_SLOT_CAPACITY:
        return []
    return [field_error("capacity", f"must be between 1 and {MAX_SLOT_CAPACITY}")]


def _time_errors(slot: Slot) -> list[ErrorDetail]:
    moments = {"starts_at": slot.starts_at, "ends_at": slot.ends_at, "cutoff_at": slot.cutoff_at}
    naive = [
        field_error(field, "must include a time zone")
        for field, moment in moments.items()
        if moment.utcoffset() is None
    ]
    if naive:
        return naive
    if slot.ends_at <= slot.starts_at:
        return [field_error("ends_at", "must be after starts_at")]
    errors = []
    if slot.ends_at - slot.starts_at > LONGEST_SLOT:
        errors.append(field_error("ends_at", "a slot lasts at most 24 hours"))
    if slot.cutoff_at > slot.starts_at:
        errors.append(field_error("cutoff_at", "must not be after starts_at"))
    return errors


# --- holding and booking places --------------------------------------------------


@dataclass(frozen=True, kw_only=True, slots=True)
class SlotHold:
    """A place in a slot kept for a customer's cart until `held_until`."""

    user_id: UUID
    slot_id: UUID
    address_id: UUID | None  # where to deliver; None for pickup
    held_until: datetime

    def counts_at(self, now: datetime) -> bool:
        """Whether the hold still takes a place: it runs out at `held_until` exactly."""
        return now < self.held_until


@dataclass(frozen=True, kw_only=True, slots=True)
class HeldSlot:
    """A cart's hold with what pricing and checkout need of its slot, in one read.

    The hold stays with the cart after it runs out (checkout takes the place again when
    there is room), so `hold` may have expired.
    """

    hold: SlotHold
    slot: Slot
    terms: DeliveryTerms
    place_open: bool = True  # False when the slot's pickup point was closed meanwhile
    address: Address | None = None  # the delivery address the hold names
    pickup_point: PickupPointRef | None = None  # the counter of a pickup slot

    @property
    def fulfilment(self) -> CartFulfilment:
        return CartFulfilment(
            method=self.slot.method,
            slot_id=self.slot.id,
            starts_at=self.slot.starts_at,
            ends_at=self.slot.ends_at,
            address_id=self.hold.address_id,
            pickup_point_id=self.slot.pickup_point_id,
            held_until=self.hold.held_until,
        )

    @property
    def order_fulfilment(self) -> OrderFulfilment:
        """How the order checked out with this hold is handed over, copied now."""
        return OrderFulfilment(
            method=self.slot.method,
            slot_id=self.slot.id,
            starts_at=self.slot.starts_at,
            ends_at=self.slot.ends_at,
            address=self.address,
            pickup_point=self.pickup_point,
        )


def hold_expiry(now: datetime, hold_minutes: int) -> datetime:
    """When a hold taken now runs out."""
    return now + timedelta(minutes=hold_minutes)


def check_bookable(slot: Slot, now: datetime, *, place_open: bool = True) -> None:
    """Invalid `slot_closed` once the slot's cutoff has passed or its counter is closed."""
    if not (slot.is_open(now) and place_open):
        raise Invalid("This slot can no longer be booked.", code="slot_closed")


def checkout_terms(
    held: HeldSlot | None, now: datetime, *, require_slot: bool
) -> DeliveryTerms | None:
    """The delivery terms checkout prices the cart on: its held slot's, or None without one.

    Invalid `slot_required` when the shop requires a slot and the cart holds none,
    `slot_closed` when the held slot can't be booked any more. An expired hold is no
    refusal here: booking takes the place again if there is room.
    """
    if held is None:
        if require_slot:
            raise Invalid("Choose a delivery or pickup slot first.", code="slot_required")
        return None
    check_bookable(held.slot, now, place_open=held.place_open)
    return held.terms


def check_address_fits(slot: Slot, address: Address | None, zone_id: UUID | None) -> None:
    """That a delivery slot has an address inside its zone and a pickup slot has none;
    `zone_id` is the zone the address's postal code falls in (zone_for), None for none.

    Invalid `not_delivered_here` when the address's postal code belongs to another zone
    (or none), `validation_error` when the address is missing or superfluous.
    """
    if slot.method is FulfilmentMethod.PICKUP:
        if address is not None:
            raise _address_invalid("must not be given for a pickup slot")
        return
    if address is None:
        raise _address_invalid("is required for a delivery slot")
    if zone_id is None or zone_id != slot.zone_id:
        raise not_delivered_here()


def not_delivered_here() -> Invalid:
    return Invalid("We don't deliver to this address in this slot.", code="not_delivered_here")


def slot_full() -> Conflict:
    return Conflict("This slot is full.", code="slot_full")


def capacity_below_booked(taken: int) -> Conflict:
    return Conflict(
        f"{taken} places of this slot are booked or held; its capacity can't go below that.",
        code="capacity_below_booked",
        errors=[field_error("capacity", f"must be at least {taken}")],
    )


def slot_in_use() -> Conflict:
    return Conflict("This slot has bookings or holds.", code="slot_in_use")


def _address_invalid(message: str) -> Invalid:
    return Invalid(f"address_id {message}.", errors=[field_error("address_id", message)])


# --- what carts and orders show --------------------------------------------------


@dataclass(frozen=True, kw_only=True, slots=True)
class CartFulfilment:
    """The slot a cart holds, as the priced cart shows it."""

    method: FulfilmentMethod
    slot_id: UUID
    starts_at: datetime
    ends_at: datetime
    address_id: UUID | None
    pickup_point_id: UUID | None
    held_until: datetime


@dataclass(frozen=True, kw_only=True, slots=True)
class OrderFulfilment:
    """How an order is handed over, copied at checkout: later edits of the address, the
    slot or the pickup point don't change it."""

    method: FulfilmentMethod
    slot_id: UUID  # kept should the slot be deleted once nothing books it
    starts_at: datetime
    ends_at: datetime
    address: Address | None
    pickup_point: PickupPointRef | None
