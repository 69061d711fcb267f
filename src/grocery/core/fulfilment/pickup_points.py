"""Pickup points: the shop's counters where customers collect their orders."""

from __future__ import annotations

from dataclasses import dataclass, replace
from uuid import UUID

from grocery.core.addresses import StreetAddress, validate_street_address
from grocery.core.edits import KEEP, Keep, applied, left_out
from grocery.core.errors import InUse, Problems
from grocery.core.fulfilment.zones import name_errors

INSTRUCTIONS_MAX_LENGTH = 500


@dataclass(frozen=True, kw_only=True, slots=True)
class PickupPoint:
    id: UUID
    name: str
    address: StreetAddress
    instructions: str | None = None
    is_active: bool = True  # an inactive point hands nothing out: its slots can't be booked


@dataclass(frozen=True, kw_only=True, slots=True)
class PickupPointRef:
    """A pickup point as an order names it."""

    id: UUID
    name: str


@dataclass(frozen=True, kw_only=True, slots=True)
class PickupPointEdit:
    """A manager's form: the fields sent change (the address as a whole)."""

    name: str | Keep = KEEP
    address: StreetAddress | Keep = KEEP
    instructions: str | Keep | None = KEEP
    is_active: bool | Keep = KEEP


def new_pickup_point(edit: PickupPointEdit, *, id: UUID) -> PickupPoint:
    """A point from a manager's form: name and address are required; it opens active."""
    left_out(edit, ("name", "address")).raise_if_any("The pickup point is not valid.")
    blank_address = StreetAddress(line1="", city="", postal_code="", country="")
    return edited_pickup_point(PickupPoint(id=id, name="", address=blank_address), edit)


def edited_pickup_point(point: PickupPoint, edit: PickupPointEdit) -> PickupPoint:
    return validate_pickup_point(applied(point, edit))


def validate_pickup_point(point: PickupPoint) -> PickupPoint:
    """The point tidied, or Invalid listing each fault (the edited whole, for edits too)."""
    instructions = None if point.instructions is None else point.instructions.strip() or None
    point = replace(point, name=point.name.strip(), instructions=instructions)
    problems = Problems(name_errors(point.name))
    if instructions is not None and len(instructions) > INSTRUCTIONS_MAX_LENGTH:
        problems.add("instructions", f"must be at most {INSTRUCTIONS_MAX_LENGTH} characters")
    address = problems.read(lambda: validate_street_address(point.address), point.address)
    problems.raise_if_any("The pickup point is not valid.")
    return replace(point, address=address)


def pickup_point_in_use() -> InUse:
    return InUse(
        "Slots are planned at this pickup point; delete them or close the point instead.",
        code="pickup_point_in_use",
    )
