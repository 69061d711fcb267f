"""Weighed products: steps and their price, weights as clients send them, the tolerance cap,
and how a manager's form says a product is sold by weight."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from uuid import UUID

import pytest
from hypothesis import given
from hypothesis import strategies as st

from grocery.core.catalog import Product, Unit
from grocery.core.catalog_edits import ProductEdit, edited_product, new_product
from grocery.core.edits import KEEP
from grocery.core.errors import Invalid
from grocery.core.weights import (
    SoldBy,
    Weighing,
    check_tolerance,
    parse_kg,
    step_price,
    tolerance_allowance,
    with_tolerance,
)

D = Decimal
NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
CATEGORY_ID = UUID("01900000-0000-7000-8000-000000000002")
PRODUCT_ID = UUID("01900000-0000-7000-8000-000000000001")


def fields_of(error: pytest.ExceptionInfo[Invalid]) -> set[str]:
    return {str(item["field"]) for item in error.value.errors}


@pytest.mark.parametrize(
    ("price", "step", "expected"),
    [("3.98", "0.250", "1.00"), ("2.99", "0.250", "0.75"), ("4.00", "0.500", "2.00")],
)
def test_a_step_costs_its_weight_at_the_price_per_kg_half_up(
    price: str, step: str, expected: str
) -> None:
    assert step_price(D(price), D(step)) == D(expected)
    assert Weighing(D(price), D(step)).step_price == D(expected)


def test_the_estimated_weight_is_the_steps_times_the_step() -> None:
    assert Weighing(D("2.00"), D("0.250")).weight_of(6) == D("1.500")


def test_a_weighed_amount_is_the_weight_at_the_price_capped_at_the_estimate_and_tolerance() -> None:
    apples = Weighing(D("4.00"), D("0.500"))  # 2.00 a step
    estimate = D("4.00")  # two steps
    assert apples.cost(D("0.900"), estimate, D(10)) == D("3.60")
    assert apples.cost(D("1.050"), estimate, D(10)) == D("4.20")
    assert apples.cost(D("1.300"), estimate, D(10)) == D("4.40")
    assert apples.cost(D("1.300"), estimate, D(0)) == D("4.00")


def test_tolerance_rounds_half_up_to_cents() -> None:
    assert with_tolerance(D("0.75"), D(10)) == D("0.83")  # 0.825
    assert tolerance_allowance(D("0.75"), D(10)) == D("0.08")


@pytest.mark.parametrize("raw", ["0.250", "1", "12.5", D("0.125")])
def test_weights_are_read_to_the_gram(raw: str | Decimal) -> None:
    weight = parse_kg(raw, field="weight")
    assert weight == D(str(raw))
    assert weight.as_tuple().exponent == -3


@pytest.mark.parametrize("raw", ["0.2505", "1e3", "-1", "abc", " 1", "NaN", D("0.0001"), D("-1")])
def test_weights_are_judged_strictly(raw: str | Decimal) -> None:
    with pytest.raises(Invalid) as error:
        parse_kg(raw, field="picked_weight_kg")
    assert fields_of(error) == {"picked_weight_kg"}


def test_zero_and_absurd_weights_are_refused() -> None:
    carrots = Weighing(D("1.50"), D("0.500"))
    carrots.check_weight(D("100.000"), 2, field="w")  # 100x the 1 kg estimate is the limit
    for weight in (D(0), D("100.001")):
        with pytest.raises(Invalid):
            carrots.check_weight(weight, 2, field="w")


@pytest.mark.parametrize("percent", [D(-1), D("100.01"), D("NaN")])
def test_the_tolerance_setting_is_a_percent(percent: Decimal) -> None:
    with pytest.raises(ValueError, match="percent"):
        check_tolerance(percent)
    assert check_tolerance(D("12.5")) == D("12.5")


@given(
    price=st.integers(1, 999_999).map(lambda c: D(c) / 100),
    step=st.integers(1, 100_000).map(lambda g: D(g) / 1000),
    steps=st.integers(1, 999),
    grams=st.integers(1, 10_000_000),
    tolerance=st.integers(0, 100).map(D),
)
def test_a_weighed_amount_never_exceeds_the_estimate_plus_its_allowance(
    price: Decimal, step: Decimal, steps: int, grams: int, tolerance: Decimal
) -> None:
    weighing = Weighing(price, step)
    estimate = weighing.step_price * steps
    cost = weighing.cost(D(grams) / 1000, estimate, tolerance)
    assert D(0) <= cost <= estimate + tolerance_allowance(estimate, tolerance)
    assert cost == cost.quantize(D("0.01"))


# --- the manager's form -------------------------------------------------------


def weighed_edit(**fields: object) -> ProductEdit:
    values: dict[str, object] = {
        "name": "Loose apples",
        "category_id": CATEGORY_ID,
        "price": "3.98",
        "stock": 40,
        "sold_by": "weight",
        "step_kg": "0.250",
    }
    return ProductEdit(**{**values, **fields})  # type: ignore[arg-type]


def create(edit: ProductEdit) -> Product:
    return new_product(edit, id=PRODUCT_ID, created_at=NOW, default_threshold=5)


def test_a_weighed_product_is_sold_by_the_kg_in_steps() -> None:
    product = create(weighed_edit())
    assert (product.sold_by, product.step_kg, product.unit) == (SoldBy.WEIGHT, D("0.250"), Unit.KG)
    assert product.weighing == Weighing(D("3.98"), D("0.250"))


def test_products_are_sold_by_the_piece_unless_told() -> None:
    product = create(weighed_edit(sold_by=KEEP, step_kg=KEEP))
    assert (product.sold_by, product.step_kg, product.unit, product.weighing) == (
        SoldBy.EACH,
        None,
        Unit.PIECE,
        None,
    )


@pytest.mark.parametrize(
    ("fields", "bad"),
    [
        ({"step_kg": None}, {"step_kg"}),
        ({"step_kg": "0"}, {"step_kg"}),
        ({"step_kg": "100.001"}, {"step_kg"}),
        ({"step_kg": "0.0001"}, {"step_kg"}),
        ({"unit": "piece"}, {"unit"}),
        ({"sold_by": "each"}, {"step_kg"}),
        ({"sold_by": "litre"}, {"sold_by"}),
        ({"unit": "g", "step_kg": "-1", "price": "x"}, {"unit", "step_kg", "price"}),
    ],
)
def test_a_weighed_product_needs_a_sane_step_and_the_kg(
    fields: dict[str, object], bad: set[str]
) -> None:
    with pytest.raises(Invalid) as error:
        create(weighed_edit(**fields))
    assert fields_of(error) == bad


def test_an_edit_may_switch_how_a_product_is_sold() -> None:
    by_piece = create(weighed_edit(sold_by=KEEP, step_kg=KEEP))
    weighed = edited_product(by_piece, ProductEdit(sold_by="weight", step_kg="0.500"))
    assert (weighed.sold_by, weighed.step_kg, weighed.unit) == (SoldBy.WEIGHT, D("0.500"), Unit.KG)
    restepped = edited_product(weighed, ProductEdit(step_kg="1.000"))
    assert restepped.step_kg == D("1.000")
    renamed = edited_product(weighed, ProductEdit(name="Apples"))
    assert (renamed.sold_by, renamed.step_kg) == (SoldBy.WEIGHT, D("0.500"))
    back = edited_product(weighed, ProductEdit(sold_by="each"))
    assert (back.sold_by, back.step_kg, back.unit) == (SoldBy.EACH, None, Unit.KG)


@pytest.mark.parametrize(
    ("edit", "bad"),
    [
        (ProductEdit(sold_by="weight"), {"step_kg"}),
        (ProductEdit(step_kg="0.500"), {"step_kg"}),
    ],
)
def test_an_edit_to_a_piece_product_refuses_a_missing_or_stray_step(
    edit: ProductEdit, bad: set[str]
) -> None:
    by_piece = create(weighed_edit(sold_by=KEEP, step_kg=KEEP))
    with pytest.raises(Invalid) as error:
        edited_product(by_piece, edit)
    assert fields_of(error) == bad


def test_an_edit_keeps_a_weighed_product_in_kg() -> None:
    weighed = create(weighed_edit())
    with pytest.raises(Invalid) as error:
        edited_product(weighed, ProductEdit(unit="piece"))
    assert fields_of(error) == {"unit"}
