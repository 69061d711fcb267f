"""What a delivery address must say."""

from datetime import UTC, datetime
from uuid import uuid4

import pytest

from grocery.core.addresses import COUNTRIES, Address, validate_address
from grocery.core.errors import Invalid

NOW = datetime(2025, 6, 1, tzinfo=UTC)


def address(**fields: object) -> Address:
    given: dict[str, object] = {
        "recipient": "Ada Lovelace",
        "line1": "12 St James's Square",
        "city": "London",
        "postal_code": "SW1Y 4JH",
        "country": "GB",
        **fields,
    }
    return Address(id=uuid4(), user_id=uuid4(), created_at=NOW, **given)  # type: ignore[arg-type]


def refused_fields(**fields: object) -> list[object]:
    with pytest.raises(Invalid) as refused:
        validate_address(address(**fields))
    return [error["field"] for error in refused.value.errors]


def test_an_address_is_tidied() -> None:
    tidy = validate_address(
        address(
            recipient=" Ada ", country=" gb", label="", line2="  Flat 2 ", phone=" +44 20 7946 0000"
        )
    )
    assert (tidy.recipient, tidy.country, tidy.label, tidy.line2, tidy.phone) == (
        "Ada",
        "GB",
        None,
        "Flat 2",
        "+44 20 7946 0000",
    )


def test_countries_are_iso_3166_alpha_2_codes() -> None:
    assert len(COUNTRIES) == 249
    assert {"GB", "US", "DE", "FR", "JP", "AX"} <= COUNTRIES
    assert refused_fields(country="UK") == ["country"]
    assert refused_fields(country="USA") == ["country"]
    assert refused_fields(country="") == ["country"]


def test_every_fault_is_named() -> None:
    assert refused_fields(recipient=" ", line1="", city="x" * 201, postal_code="??") == [
        "recipient",
        "line1",
        "city",
        "postal_code",
    ]


def test_phone_numbers_are_digits_with_the_usual_punctuation() -> None:
    assert validate_address(address(phone="(555) 010-9999")).phone == "(555) 010-9999"
    assert refused_fields(phone="call me") == ["phone"]
    assert refused_fields(phone="+1") == ["phone"]


def test_long_instructions_are_refused() -> None:
    assert refused_fields(instructions="x" * 501) == ["instructions"]
    assert validate_address(address(instructions="Ring twice")).instructions == "Ring twice"
