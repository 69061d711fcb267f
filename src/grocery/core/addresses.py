"""Where groceries go: customers' delivery addresses and the street addresses of places.

A customer sees and changes only their own addresses; their first one is their default.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import datetime
from uuid import UUID

import pycountry

from grocery.core.edits import KEEP, Keep, applied, left_out
from grocery.core.errors import ErrorDetail, Invalid, Problems, field_error

LABEL_MAX_LENGTH = 60
LINE_MAX_LENGTH = 200
INSTRUCTIONS_MAX_LENGTH = 500
POSTAL_CODE_MAX_LENGTH = 16
MAX_ADDRESSES_PER_CUSTOMER = 50

# ISO 3166-1 alpha-2: the officially assigned codes, as pycountry keeps them up to date.
COUNTRIES = frozenset(country.alpha_2 for country in pycountry.countries)

_POSTAL_CODE = re.compile(r"[A-Za-z0-9][A-Za-z0-9 -]*")
_PHONE = re.compile(r"[+(]?[0-9][0-9 ()./-]{2,30}")


@dataclass(frozen=True, kw_only=True, slots=True)
class StreetAddress:
    """A place's address, as a pickup point shows it."""

    line1: str
    city: str
    postal_code: str
    country: str


@dataclass(frozen=True, kw_only=True, slots=True)
class Address:
    """A customer's delivery address."""

    id: UUID
    user_id: UUID
    recipient: str
    line1: str
    city: str
    postal_code: str
    country: str
    created_at: datetime
    label: str | None = None
    line2: str | None = None
    phone: str | None = None
    instructions: str | None = None
    is_default: bool = False


@dataclass(frozen=True, kw_only=True, slots=True)
class AddressEdit:
    """A customer's form: the fields sent change, None clears an optional one."""

    label: str | Keep | None = KEEP
    recipient: str | Keep = KEEP
    line1: str | Keep = KEEP
    line2: str | Keep | None = KEEP
    city: str | Keep = KEEP
    postal_code: str | Keep = KEEP
    country: str | Keep = KEEP
    phone: str | Keep | None = KEEP
    instructions: str | Keep | None = KEEP
    is_default: bool | Keep = KEEP


_REQUIRED = ("recipient", "line1", "city", "postal_code", "country")


def new_address(
    edit: AddressEdit, *, id: UUID, user_id: UUID, created_at: datetime, first: bool
) -> Address:
    """The customer's new address; their first is their default whatever the form says."""
    left_out(edit, _REQUIRED).raise_if_any("The address is not valid.")
    blank = Address(
        id=id,
        user_id=user_id,
        recipient="",
        line1="",
        city="",
        postal_code="",
        country="",
        created_at=created_at,
    )
    address = validate_address(applied(blank, edit))
    return replace(address, is_default=first or address.is_default)


def edited_address(address: Address, edit: AddressEdit) -> Address:
    """The address with the edit applied, checked whole. The default moves by making another
    address the default, never by unsetting it (a customer with addresses has one)."""
    if address.is_default and edit.is_default is False:
        message = "stays true until another address becomes the default"
        raise Invalid(f"is_default {message}.", errors=[field_error("is_default", message)])
    return validate_address(applied(address, edit))


def validate_address(address: Address) -> Address:
    """The address tidied (spaces trimmed, country upper case), or Invalid listing each fault.

    Used for new addresses and for edits (validate the edited whole, not just the change).
    """
    address = replace(
        address,
        recipient=address.recipient.strip(),
        line1=address.line1.strip(),
        city=address.city.strip(),
        postal_code=address.postal_code.strip(),
        country=address.country.strip().upper(),
        label=_tidy(address.label),
        line2=_tidy(address.line2),
        phone=_tidy(address.phone),
        instructions=_tidy(address.instructions),
    )
    Problems(
        _required("recipient", address.recipient, LINE_MAX_LENGTH),
        _place_errors(address.line1, address.city, address.postal_code, address.country),
        _optional("label", address.label, LABEL_MAX_LENGTH),
        _optional("line2", address.line2, LINE_MAX_LENGTH),
        _optional("instructions", address.instructions, INSTRUCTIONS_MAX_LENGTH),
        _phone_errors(address.phone),
    ).raise_if_any("The address is not valid.")
    return address


def validate_street_address(place: StreetAddress, *, field: str = "address") -> StreetAddress:
    """The place's address tidied, or Invalid naming each fault as `field.<name>`."""
    place = replace(
        place,
        line1=place.line1.strip(),
        city=place.city.strip(),
        postal_code=place.postal_code.strip(),
        country=place.country.strip().upper(),
    )
    Problems(
        field_error(f"{field}.{error['field']}", str(error["message"]))
        for error in _place_errors(place.line1, place.city, place.postal_code, place.country)
    ).raise_if_any("The address is not valid.")
    return place


def _place_errors(line1: str, city: str, postal_code: str, country: str) -> list[ErrorDetail]:
    errors = [
        *_required("line1", line1, LINE_MAX_LENGTH),
        *_required("city", city, LINE_MAX_LENGTH),
    ]
    if not (len(postal_code) <= POSTAL_CODE_MAX_LENGTH and _POSTAL_CODE.fullmatch(postal_code)):
        message = f"must be 1 to {POSTAL_CODE_MAX_LENGTH} letters, digits, spaces or '-'"
        errors.append(field_error("postal_code", message))
    if country not in COUNTRIES:
        errors.append(field_error("country", "must be an ISO 3166-1 alpha-2 country code"))
    return errors


def _phone_errors(phone: str | None) -> list[ErrorDetail]:
    if phone is None or _PHONE.fullmatch(phone):
        return []
    return [field_error("phone", "must be a phone number: digits, spaces, '+', '(', ')', '-', '.'")]


def _required(field: str, value: str, max_length: int) -> list[ErrorDetail]:
    if 0 < len(value) <= max_length:
        return []
    return [field_error(field, f"must be 1 to {max_length} characters")]


def _optional(field: str, value: str | None, max_length: int) -> list[ErrorDetail]:
    return [] if value is None else _required(field, value, max_length)


def _tidy(value: str | None) -> str | None:
    """Trimmed; an empty optional field is no field."""
    return None if value is None or not value.strip() else value.strip()
