"""Delivery zones: the postal codes the shop delivers to, and on what terms."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, fields, replace
from decimal import Decimal
from enum import StrEnum
from functools import partial
from uuid import UUID

from grocery.core.edits import KEEP, Keep, left_out
from grocery.core.errors import ErrorDetail, InUse, Problems, field_error
from grocery.core.money import ZERO, parse_money

NAME_MAX_LENGTH = 120
PREFIX_MAX_LENGTH = 16
MAX_PREFIXES_PER_ZONE = 500
MAX_FEE = Decimal("9999.99")
MAX_AMOUNT = Decimal("999999.99")

_PREFIX = re.compile(r"[A-Z0-9-]+")


class FulfilmentMethod(StrEnum):
    DELIVERY = "delivery"
    PICKUP = "pickup"


@dataclass(frozen=True, kw_only=True, slots=True)
class DeliveryTerms:
    """What pricing needs to know about how a cart is handed over."""

    method: FulfilmentMethod
    fee: Decimal = ZERO
    free_delivery_over: Decimal | None = None
    min_order_amount: Decimal | None = None


PICKUP_TERMS = DeliveryTerms(method=FulfilmentMethod.PICKUP)


@dataclass(frozen=True, kw_only=True, slots=True)
class DeliveryZone:
    """Where the shop delivers: postal codes starting with one of its prefixes."""

    id: UUID
    name: str
    postal_code_prefixes: tuple[str, ...]
    fee: Decimal
    free_delivery_over: Decimal | None = None
    min_order_amount: Decimal | None = None

    @property
    def terms(self) -> DeliveryTerms:
        return DeliveryTerms(
            method=FulfilmentMethod.DELIVERY,
            fee=self.fee,
            free_delivery_over=self.free_delivery_over,
            min_order_amount=self.min_order_amount,
        )


@dataclass(frozen=True, kw_only=True, slots=True)
class ZoneEdit:
    """A manager's form: the fields sent change; amounts come as the client typed them, and
    None clears an optional one."""

    name: str | Keep = KEEP
    postal_code_prefixes: tuple[str, ...] | Keep = KEEP
    fee: str | Keep = KEEP
    free_delivery_over: str | Keep | None = KEEP
    min_order_amount: str | Keep | None = KEEP


_ZONE_AMOUNTS = {"fee": MAX_FEE, "free_delivery_over": MAX_AMOUNT, "min_order_amount": MAX_AMOUNT}


def new_zone(edit: ZoneEdit, *, id: UUID) -> DeliveryZone:
    """A zone from a manager's form: name, prefixes and fee are required."""
    left_out(edit, ("name", "postal_code_prefixes", "fee")).raise_if_any(_NOT_VALID)
    return edited_zone(DeliveryZone(id=id, name="", postal_code_prefixes=(), fee=ZERO), edit)


def edited_zone(zone: DeliveryZone, edit: ZoneEdit) -> DeliveryZone:
    """The zone with the edit applied, checked whole, or Invalid listing every fault."""
    problems = Problems()
    changes: dict[str, object] = {}
    for name in (field.name for field in fields(edit)):
        value: object = getattr(edit, name)
        if name in _ZONE_AMOUNTS and isinstance(value, str):
            read = partial(parse_money, value, field=name, at_most=_ZONE_AMOUNTS[name])
            value = problems.read(read, KEEP)
        if value is not KEEP:
            changes[name] = value
    problems.raise_if_any(_NOT_VALID)
    return validate_zone(replace(zone, **changes))  # type: ignore[arg-type]


_NOT_VALID = "The delivery zone is not valid."


def normalise_postal_code(code: str) -> str:
    """The form postal codes and prefixes are compared in: upper case, no spaces."""
    return "".join(code.split()).upper()


def zone_for(postal_code: str, zones: Iterable[DeliveryZone]) -> DeliveryZone | None:
    """The zone with the longest prefix the postal code starts with; None when none does.

    Prefixes are unique across zones (validated and kept so by the store), so there are no ties.
    """
    code = normalise_postal_code(postal_code)
    best: DeliveryZone | None = None
    best_length = 0
    for zone in zones:
        for prefix in zone.postal_code_prefixes:
            if len(prefix) > best_length and code.startswith(prefix):
                best, best_length = zone, len(prefix)
    return best


def postal_code_prefixes(postal_code: str) -> list[str]:
    """Every prefix a zone may hold that the postal code starts with, longest first: its zone
    is the one holding the first of them a zone holds (as zone_for finds it), so a store can
    look them up by key instead of reading every zone."""
    code = normalise_postal_code(postal_code)[:PREFIX_MAX_LENGTH]
    return [code[:length] for length in range(len(code), 0, -1)]


def validate_zone(zone: DeliveryZone) -> DeliveryZone:
    """The zone with its name trimmed and prefixes normalised (and sorted), or Invalid listing
    each fault.

    Used for new zones and for edits (validate the edited whole, not just the change).
    """
    prefixes = tuple(sorted(normalise_postal_code(prefix) for prefix in zone.postal_code_prefixes))
    zone = replace(zone, name=zone.name.strip(), postal_code_prefixes=prefixes)
    Problems(
        name_errors(zone.name),
        _prefix_errors(prefixes),
        _amount_errors("fee", zone.fee, MAX_FEE),
        _amount_errors("free_delivery_over", zone.free_delivery_over, MAX_AMOUNT),
        _amount_errors("min_order_amount", zone.min_order_amount, MAX_AMOUNT),
    ).raise_if_any(_NOT_VALID)
    return zone


def zone_in_use() -> InUse:
    return InUse("Slots are planned in this delivery zone; delete them first.", code="zone_in_use")


def name_errors(name: str) -> list[ErrorDetail]:
    """Why this can't be a zone's or a pickup point's name, if it can't."""
    if 0 < len(name) <= NAME_MAX_LENGTH:
        return []
    return [field_error("name", f"must be 1 to {NAME_MAX_LENGTH} characters")]


def _prefix_errors(prefixes: tuple[str, ...]) -> list[ErrorDetail]:
    field = "postal_code_prefixes"
    if not 0 < len(prefixes) <= MAX_PREFIXES_PER_ZONE:
        return [field_error(field, f"must list 1 to {MAX_PREFIXES_PER_ZONE} prefixes")]
    if len(set(prefixes)) != len(prefixes):
        return [field_error(field, "must not list a prefix twice")]
    if all(len(p) <= PREFIX_MAX_LENGTH and _PREFIX.fullmatch(p) for p in prefixes):
        return []
    return [field_error(field, f"each must be 1 to {PREFIX_MAX_LENGTH} letters, digits or '-'")]


def _amount_errors(field: str, amount: Decimal | None, highest: Decimal) -> list[ErrorDetail]:
    if amount is None or ZERO <= amount <= highest:
        return []
    return [field_error(field, f"must be between 0.00 and {highest}")]
