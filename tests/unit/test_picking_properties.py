"""The final bill's promises, over any order and any picking (hypothesis):
- the final total never exceeds the checkout total plus the tolerance on weighed lines;
- line totals add up to the total, and no line goes below zero;
- the discount never exceeds the checkout's;
- a substitute never costs more than the line it stands in for;
- the sales counted after picking add up to the bill: units handed over, revenue = total."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from hypothesis import assume, given, settings
from hypothesis import strategies as st

from grocery.core.final_bill import FinalBill, completed, final_bill
from grocery.core.orders import Order
from grocery.core.pricing import CartLine
from grocery.core.promotions import PromoCode, PromoRejected
from grocery.core.sales import counted_sales
from grocery.core.weights import tolerance_allowance
from tests.unit.picking_orders import (
    DAIRY,
    FRUIT,
    being_picked,
    on_shelf,
    picked,
    piece,
    weighed,
)
from tests.unit.test_pricing import fixed, percent

D = Decimal
prices = st.integers(1, 20_000).map(lambda c: f"{D(c) / 100:.2f}")
categories = st.sampled_from([FRUIT, DAIRY])


@st.composite
def order_lines(draw: st.DrawFn) -> CartLine:
    quantity = draw(st.integers(1, 12))
    category = draw(categories)
    if draw(st.booleans()):
        step = draw(st.sampled_from(["0.100", "0.250", "0.333", "0.500", "1.000"]))
        return weighed(draw(prices), step, quantity, category=category)
    substitution = draw(st.sampled_from(["allow", "none"]))
    return piece(draw(prices), quantity, category=category, substitution=substitution)


@st.composite
def promos(draw: st.DrawFn) -> PromoCode | None:
    kind = draw(st.sampled_from(["none", "percent", "fixed"]))
    if kind == "none":
        return None
    terms: dict[str, object] = {}
    if draw(st.booleans()):
        terms["category_ids"] = frozenset({draw(categories)})
    if draw(st.booleans()):
        terms["min_order_amount"] = D(draw(st.integers(0, 5000))) / 100
    if kind == "percent":
        if draw(st.booleans()):
            terms["max_discount"] = D(draw(st.integers(1, 5000))) / 100
        return percent(str(draw(st.integers(1, 100))), **terms)
    return fixed(draw(prices), **terms)


@dataclass(frozen=True)
class Picked:
    order: Order
    bill: FinalBill
    tolerance: Decimal


@st.composite
def picked_orders(draw: st.DrawFn) -> Picked:
    lines = draw(st.lists(order_lines(), min_size=1, max_size=6))
    promo = draw(promos())
    try:
        order = being_picked(lines, promo)
    except PromoRejected:
        assume(False)
    for index in range(len(order.lines)):
        order = draw_pick(draw, order, index)
    tolerance = D(draw(st.integers(0, 50)))
    return Picked(order=order, bill=final_bill(order, promo, tolerance), tolerance=tolerance)


def draw_pick(draw: st.DrawFn, order: Order, index: int) -> Order:
    line = order.lines[index]
    quantity = draw(st.integers(0, line.quantity))
    weight = None
    if line.weighing is not None and quantity:
        estimate_g = int(line.weighing.weight_of(quantity) * 1000)
        weight = str(D(draw(st.integers(max(1, estimate_g // 2), estimate_g * 2))) / 1000)
    if quantity == line.quantity or not line.choice.allowed or not draw(st.booleans()):
        return picked(order, index, quantity, weight)
    by_weight = draw(st.booleans())
    item = on_shelf(draw(prices), step_kg="0.250" if by_weight else None)
    units = draw(st.integers(1, 5))
    sub_weight = str(D(draw(st.integers(100, 400))) / 1000 * units) if by_weight else None
    return picked(
        order,
        index,
        quantity,
        weight,
        substitute=item,
        substitute_quantity=units,
        substitute_weight=sub_weight,
    )


@settings(max_examples=300)
@given(picked_orders())
def test_the_final_total_stays_within_the_checkout_total_and_the_weighed_tolerance(
    case: Picked,
) -> None:
    allowance = sum(
        (
            tolerance_allowance(line.subtotal, case.tolerance)
            for line in case.order.lines
            if line.weighing is not None
        ),
        D(0),
    )
    assert case.bill.total <= case.order.total + allowance


@settings(max_examples=300)
@given(picked_orders())
def test_line_totals_add_up_to_the_total(case: Picked) -> None:
    bill = case.bill
    assert sum(line.line_total for line in bill.lines) == bill.total
    assert sum(line.discount for line in bill.lines) == bill.discount
    assert sum(line.amount for line in bill.lines) == bill.subtotal
    assert bill.total == bill.subtotal - bill.discount
    assert all(line.line_total >= 0 and line.discount >= 0 for line in bill.lines)
    assert all(amount == amount.quantize(D("0.01")) for amount in (bill.total, bill.discount))


@settings(max_examples=300)
@given(picked_orders())
def test_the_discount_never_exceeds_the_checkouts(case: Picked) -> None:
    assert 0 <= case.bill.discount <= case.order.discount


@settings(max_examples=300)
@given(picked_orders())
def test_a_substitute_never_costs_more_than_its_line(case: Picked) -> None:
    for line, billed in zip(case.order.lines, case.bill.lines, strict=True):
        assert line.pick is not None
        missing = line.quantity - line.pick.picked_quantity
        assert billed.substitute_amount <= line.price_at_purchase * missing <= line.subtotal
        if line.pick.substitute is None:
            assert billed.substitute_amount == 0


@settings(max_examples=200)
@given(picked_orders())
def test_the_sales_counted_after_picking_are_what_was_handed_over(case: Picked) -> None:
    sales = counted_sales(completed(case.order, case.bill, case.order.updated_at))
    handed_over = sum(
        (line.pick.picked_quantity if line.pick else 0)
        + (line.pick.substitute.quantity if line.pick and line.pick.substitute else 0)
        for line in case.order.lines
    )
    assert sum(sale.units for sale in sales.values()) == handed_over
    assert sum((sale.revenue for sale in sales.values()), D(0)) == case.bill.total
    assert all(sale.units > 0 and sale.revenue >= 0 for sale in sales.values())
