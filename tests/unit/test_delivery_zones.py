"""Which zone delivers to a postal code, and what a zone and a pickup point must say."""

from decimal import Decimal
from uuid import uuid4

import pytest
from hypothesis import given
from hypothesis import strategies as st

from grocery.core.addresses import StreetAddress
from grocery.core.errors import Invalid
from grocery.core.fulfilment.pickup_points import PickupPoint, validate_pickup_point
from grocery.core.fulfilment.zones import (
    DeliveryZone,
    FulfilmentMethod,
    normalise_postal_code,
    postal_code_prefixes,
    validate_zone,
    zone_for,
)

D = Decimal


def zone(*prefixes: str, name: str = "Zone", fee: str = "4.99", **terms: Decimal) -> DeliveryZone:
    return DeliveryZone(id=uuid4(), name=name, postal_code_prefixes=prefixes, fee=D(fee), **terms)


def fields(refused: pytest.ExceptionInfo[Invalid]) -> list[object]:
    return [error["field"] for error in refused.value.errors]


def test_the_longest_matching_prefix_wins_whatever_the_order() -> None:
    city, centre, old_town = zone("SW"), zone("SW1"), zone("SW1A")
    for zones in ([city, centre, old_town], [old_town, centre, city], [centre, old_town, city]):
        assert zone_for("SW1A 1AA", zones) is old_town
        assert zone_for("SW1P 3BT", zones) is centre
        assert zone_for("SW7 2AZ", zones) is city


def test_case_and_spaces_are_ignored_on_both_sides() -> None:
    centre = validate_zone(zone(" sw1 a", "ec 1"))
    assert centre.postal_code_prefixes == ("EC1", "SW1A")  # normalised and sorted
    assert zone_for("sw1a 1aa", [centre]) is centre
    assert zone_for(" S W 1 A1AA ", [centre]) is centre
    assert zone_for("ec1v\t9ls", [centre]) is centre


def test_no_zone_when_no_prefix_matches() -> None:
    assert zone_for("N1 9GU", [zone("SW"), zone("E1")]) is None
    assert zone_for("", [zone("SW")]) is None
    assert zone_for("SW1", []) is None


def test_a_prefix_longer_than_the_code_does_not_match() -> None:
    assert zone_for("SW1", [zone("SW1A")]) is None


def test_a_postal_code_s_prefixes_are_looked_up_longest_first() -> None:
    assert postal_code_prefixes(" sw1a 1a") == ["SW1A1A", "SW1A1", "SW1A", "SW1", "SW", "S"]
    assert postal_code_prefixes(" ") == []
    assert postal_code_prefixes("1234567890 1234567890")[0] == "1234567890123456"  # 16 at most


def test_normalising_postal_codes() -> None:
    assert normalise_postal_code("  sw1a 1aa ") == "SW1A1AA"
    assert normalise_postal_code("10115") == "10115"


def test_a_zone_must_have_prefixes_without_repeats_and_sane_amounts() -> None:
    with pytest.raises(Invalid) as refused:
        validate_zone(zone(name=" "))
    assert fields(refused) == ["name", "postal_code_prefixes"]
    with pytest.raises(Invalid) as refused:
        validate_zone(zone("SW1", "sw 1"))
    assert refused.value.errors[0]["message"] == "must not list a prefix twice"
    with pytest.raises(Invalid) as refused:
        validate_zone(zone("SW*"))
    assert fields(refused) == ["postal_code_prefixes"]
    with pytest.raises(Invalid) as refused:
        validate_zone(zone("SW", fee="-1.00", free_delivery_over=D("-5"), min_order_amount=D("-1")))
    assert fields(refused) == ["fee", "free_delivery_over", "min_order_amount"]


def test_a_zone_gives_its_delivery_terms() -> None:
    terms = zone("SW", free_delivery_over=D("50.00"), min_order_amount=D("15.00")).terms
    assert terms.method is FulfilmentMethod.DELIVERY
    assert (terms.fee, terms.free_delivery_over, terms.min_order_amount) == (
        D("4.99"),
        D("50.00"),
        D("15.00"),
    )


def test_a_pickup_point_is_tidied_and_checked() -> None:
    point = PickupPoint(
        id=uuid4(),
        name=" Main St counter ",
        address=StreetAddress(
            line1=" 1 Main St", city="Springfield", postal_code="12345 ", country="us"
        ),
        instructions="  ",
    )
    tidy = validate_pickup_point(point)
    assert (tidy.name, tidy.instructions) == ("Main St counter", None)
    assert (tidy.address.line1, tidy.address.postal_code, tidy.address.country) == (
        "1 Main St",
        "12345",
        "US",
    )
    broken = PickupPoint(
        id=uuid4(),
        name="",
        address=StreetAddress(line1="", city="X", postal_code="1", country="ZZ"),
    )
    with pytest.raises(Invalid) as refused:
        validate_pickup_point(broken)
    assert fields(refused) == ["name", "address.line1", "address.country"]


# --- properties ---

codes = st.text("ABCDEFGHJKLMNPRSTUVWXYZ0123456789", min_size=1, max_size=8)


@given(st.lists(codes, min_size=1, max_size=12, unique=True), codes)
def test_the_chosen_zone_has_the_longest_prefix_that_matches(
    prefixes: list[str], code: str
) -> None:
    zones = [zone(prefix) for prefix in prefixes]
    chosen = zone_for(code.lower(), zones)
    matching = [p for p in prefixes if code.startswith(p)]
    if not matching:
        assert chosen is None
        return
    assert chosen is not None
    assert chosen.postal_code_prefixes[0] == max(matching, key=len)


@given(st.lists(codes, min_size=1, max_size=12, unique=True), codes)
def test_the_zone_holding_the_first_prefix_looked_up_is_the_chosen_one(
    prefixes: list[str], code: str
) -> None:
    zones = {prefix: zone(prefix) for prefix in prefixes}
    first = next((zones[p] for p in postal_code_prefixes(code) if p in zones), None)
    assert first is zone_for(code, zones.values())
