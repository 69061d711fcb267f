"""Picking's rules, by example: what a pick may record, the final bill, stock and shipping."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal
from uuid import uuid4

import pytest

from grocery.core.errors import Conflict, Invalid, NotFound
from grocery.core.final_bill import completed, final_bill, ready_to_ship
from grocery.core.orders import OrderStatus
from grocery.core.picking import (
    Pick,
    SubstitutePick,
    is_being_picked,
    off_the_shelf,
    picking_line,
    substitute_stock,
    unpicked,
)
from tests.unit.picking_orders import (
    DAIRY,
    FRUIT,
    being_picked,
    on_shelf,
    picked,
    picked_in_full,
    piece,
    weighed,
)
from tests.unit.test_pricing import fixed, percent

D = Decimal
TOLERANCE = D(10)


# --- what a pick may record ------------------------------------------------------


@pytest.mark.parametrize(
    ("quantity", "weight", "field"),
    [
        (4, None, "picked_quantity"),
        (-1, None, "picked_quantity"),
        (2, "0.500", "picked_weight_kg"),  # a weight on a piece line
    ],
)
def test_a_piece_line_takes_a_count_up_to_what_was_ordered(
    quantity: int, weight: str | None, field: str
) -> None:
    order = being_picked([piece("1.00", 3)])
    with pytest.raises(Invalid) as error:
        picked(order, 0, quantity, weight)
    assert error.value.code == "validation_error"
    assert [e["field"] for e in error.value.errors] == [field]


@pytest.mark.parametrize(
    ("quantity", "weight"),
    [
        (2, None),  # picked but not weighed
        (2, "0"),  # nothing on the scale
        (2, "100.001"),  # over 100x the 1 kg estimate
        (0, "0.500"),  # weighed but nothing picked
        (2, "0.5005"),  # finer than a gram
    ],
)
def test_a_weighed_line_takes_a_sane_weight_for_what_was_picked(
    quantity: int, weight: str | None
) -> None:
    order = being_picked([weighed("3.00", "0.500", 4)])
    with pytest.raises(Invalid) as error:
        picked(order, 0, quantity, weight)
    assert [e["field"] for e in error.value.errors] == ["picked_weight_kg"]


def test_a_weighed_line_records_its_weight() -> None:
    order = picked(being_picked([weighed("3.00", "0.500", 4)]), 0, 3, "1.620")
    assert order.lines[0].pick == Pick(picked_quantity=3, picked_weight_kg=D("1.620"))


def test_nothing_picked_needs_no_weight() -> None:
    order = picked(being_picked([weighed("3.00", "0.500", 4)]), 0, 0)
    assert order.lines[0].pick == Pick(picked_quantity=0)


@pytest.mark.parametrize(
    ("substitution", "quantity"),
    [("none", 0), ("allow", 2)],  # the customer said no; nothing is missing
)
def test_a_substitute_only_where_allowed_and_something_is_missing(
    substitution: str, quantity: int
) -> None:
    order = being_picked([piece("1.00", 2, substitution=substitution)])
    with pytest.raises(Invalid) as error:
        picked(order, 0, quantity, substitute=on_shelf("1.00"))
    assert error.value.code == "substitution_not_allowed"


def test_a_line_can_not_be_substituted_by_its_own_product() -> None:
    order = being_picked([piece("1.00", 2)])
    own = replace(on_shelf("1.00"), product_id=order.lines[0].product_id)
    with pytest.raises(Invalid) as error:
        picked(order, 0, 0, substitute=own)
    assert error.value.code == "substitution_not_allowed"


@pytest.mark.parametrize(("available", "known"), [(False, True), (True, False)])
def test_a_substitute_must_be_a_product_for_sale(available: bool, known: bool) -> None:
    order = being_picked([piece("1.00", 2)])
    item = on_shelf("1.00", available=available)
    with pytest.raises(Invalid) as error:
        picked(order, 0, 0, substitute=item, shelf_knows=known)
    assert error.value.code == "validation_error"
    assert [e["field"] for e in error.value.errors] == ["substitute.product_id"]


@pytest.mark.parametrize(
    ("step_kg", "quantity", "weight", "field"),
    [
        (None, 0, None, "substitute.quantity"),
        (None, 1000, None, "substitute.quantity"),
        (None, 1, "0.300", "substitute.weight_kg"),
        ("0.250", 2, None, "substitute.weight_kg"),
        ("0.250", 2, "50.001", "substitute.weight_kg"),
    ],
)
def test_a_substitute_takes_a_sane_count_and_weight(
    step_kg: str | None, quantity: int, weight: str | None, field: str
) -> None:
    order = being_picked([piece("5.00", 2)])
    item = on_shelf("4.00", step_kg=step_kg)
    with pytest.raises(Invalid) as error:
        picked(order, 0, 0, substitute=item, substitute_quantity=quantity, substitute_weight=weight)
    assert [e["field"] for e in error.value.errors] == [field]


def test_a_substitute_is_priced_as_it_is_on_the_shelf() -> None:
    item = on_shelf("8.00", step_kg="0.250")
    order = picked(
        being_picked([piece("5.00", 2)]),
        0,
        1,
        substitute=item,
        substitute_quantity=2,
        substitute_weight="0.480",
    )
    assert order.lines[0].pick == Pick(
        picked_quantity=1,
        substitute=SubstitutePick(
            product_id=item.product_id,
            product_name="Substitute",
            quantity=2,
            unit_price=D("2.00"),
            weighing=item.weighing,
            weight_kg=D("0.480"),
        ),
    )


@pytest.mark.parametrize("status", [OrderStatus.PLACED, OrderStatus.SHIPPED, OrderStatus.CANCELLED])
def test_picks_only_while_the_order_is_being_picked(status: OrderStatus) -> None:
    order = replace(being_picked([piece("1.00")]), status=status)
    with pytest.raises(Conflict) as error:
        picking_line(order, order.lines[0].id)
    assert error.value.code == "not_picking"


def test_a_pick_names_a_line_of_the_order() -> None:
    with pytest.raises(NotFound):
        picking_line(being_picked([piece("1.00")]), uuid4())


def test_no_pick_and_no_second_completion_once_complete() -> None:
    order = picked_in_full(being_picked([piece("1.00")]))
    done = completed(order, final_bill(order, None, TOLERANCE), order.updated_at)
    for attempt in (
        lambda: picking_line(done, done.lines[0].id),
        lambda: final_bill(done, None, TOLERANCE),
    ):
        with pytest.raises(Conflict) as error:
            attempt()
        assert error.value.code == "not_picking"


def test_the_picking_screen_offers_picks_exactly_while_they_are_taken() -> None:
    order = being_picked([piece("1.00")])
    assert is_being_picked(order)
    for status in (OrderStatus.PLACED, OrderStatus.SHIPPED, OrderStatus.CANCELLED):
        assert not is_being_picked(replace(order, status=status))
    done = picked_in_full(order)
    assert not is_being_picked(completed(done, final_bill(done, None, TOLERANCE), done.updated_at))


# --- the final bill -----------------------------------------------------------


def test_completing_needs_every_line_picked_and_names_the_rest() -> None:
    order = picked(being_picked([piece("1.00"), piece("2.00"), piece("3.00")]), 1, 1)
    with pytest.raises(Invalid) as error:
        final_bill(order, None, TOLERANCE)
    assert error.value.code == "lines_not_picked"
    assert [e["line_id"] for e in error.value.errors] == [
        str(order.lines[0].id),
        str(order.lines[2].id),
    ]


def test_short_units_cost_nothing() -> None:
    order = picked(picked(being_picked([piece("2.50", 4), piece("1.00", 1)]), 0, 1), 1, 0)
    bill = final_bill(order, None, TOLERANCE)
    assert [line.line_total for line in bill.lines] == [D("2.50"), D("0.00")]
    assert (bill.subtotal, bill.discount, bill.total) == (D("2.50"), D("0.00"), D("2.50"))


def test_the_delivery_fee_stays_as_at_checkout_on_the_final_bill() -> None:
    order = being_picked([piece("2.50", 4)])
    delivered = replace(order, delivery_fee=D("4.99"), total=order.total + D("4.99"))
    bill = final_bill(picked(delivered, 0, 2), None, TOLERANCE)
    assert (bill.subtotal, bill.discount, bill.total) == (D("5.00"), D("0.00"), D("9.99"))
    shipped = ready_to_ship(delivered).final
    assert shipped is not None and shipped.total == D("14.99")


@pytest.mark.parametrize(
    ("weight", "amount"),
    [("0.900", "2.70"), ("1.000", "3.00"), ("1.100", "3.30"), ("1.300", "3.30")],
)
def test_a_weighed_line_costs_its_weight_up_to_the_tolerance(weight: str, amount: str) -> None:
    order = picked(being_picked([weighed("3.00", "0.500", 2)]), 0, 2, weight)
    assert order.lines[0].line_total == D("3.00")  # the estimate
    assert final_bill(order, None, TOLERANCE).total == D(amount)


def test_the_tolerance_caps_what_was_picked_of_a_short_weighed_line() -> None:
    order = picked(being_picked([weighed("3.00", "0.500", 4)]), 0, 1, "0.900")
    assert final_bill(order, None, TOLERANCE).total == D("1.65")  # 1.50 + 10%


@pytest.mark.parametrize(
    ("price", "quantity", "amount"),
    [("1.20", 2, "2.40"), ("1.90", 2, "3.00"), ("9.00", 1, "3.00")],
)
def test_a_substitute_costs_its_own_price_up_to_the_units_it_stands_in_for(
    price: str, quantity: int, amount: str
) -> None:
    order = being_picked([piece("1.50", 4)])
    order = picked(order, 0, 2, substitute=on_shelf(price), substitute_quantity=quantity)
    billed = final_bill(order, None, TOLERANCE).lines[0]
    assert (billed.picked_amount, billed.substitute_amount) == (D("3.00"), D(amount))


def test_a_weighed_substitute_costs_its_weight() -> None:
    order = being_picked([piece("6.00", 1)])
    item = on_shelf("10.00", step_kg="0.500")  # 5.00 a step
    order = picked(order, 0, 0, substitute=item, substitute_weight="0.450")
    assert final_bill(order, None, TOLERANCE).lines[0].substitute_amount == D("4.50")


def test_a_percent_code_is_worked_out_again_on_the_final_lines() -> None:
    order = being_picked([piece("5.00", 2), piece("10.00", 1)], percent("10"))
    assert order.discount == D("2.00")
    bill = final_bill(picked(picked(order, 0, 1), 1, 1), percent("10"), TOLERANCE)
    assert (bill.subtotal, bill.discount, bill.total) == (D("15.00"), D("1.50"), D("13.50"))
    assert sum(line.discount for line in bill.lines) == bill.discount


def test_the_discount_never_grows_past_the_checkouts() -> None:
    order = being_picked([weighed("10.00", "1.000", 1)], percent("10", max_discount=D("5")))
    assert order.discount == D("1.00")
    bill = final_bill(picked(order, 0, 1, "1.100"), percent("10"), TOLERANCE)
    assert (bill.subtotal, bill.discount) == (D("11.00"), D("1.00"))


def test_a_fixed_code_keeps_its_amount_while_the_goods_cover_it() -> None:
    promo = fixed("5.00")
    order = being_picked([piece("4.00", 3)], promo)
    assert final_bill(picked(order, 0, 2), promo, TOLERANCE).discount == D("5.00")
    assert final_bill(picked(order, 0, 1), promo, TOLERANCE).discount == D("4.00")
    assert final_bill(picked(order, 0, 0), promo, TOLERANCE).total == D("0.00")


def test_a_minimum_order_met_at_checkout_stays_met() -> None:
    promo = percent("10", min_order_amount=D("20.00"))
    order = being_picked([piece("5.00", 5)], promo)
    bill = final_bill(picked(order, 0, 2), promo, TOLERANCE)
    assert (bill.subtotal, bill.discount) == (D("10.00"), D("1.00"))


def test_a_code_made_less_generous_after_checkout_does_not_raise_the_bill() -> None:
    order = picked_in_full(being_picked([piece("10.00", 2)], percent("20")))
    bill = final_bill(order, percent("5"), TOLERANCE)
    assert (bill.discount, bill.total) == (order.discount, order.total)


def test_a_code_that_is_gone_counts_as_its_checkout_amount() -> None:
    order = being_picked([piece("10.00", 2)], percent("20"))
    assert final_bill(picked_in_full(order), None, TOLERANCE).discount == D("4.00")
    assert final_bill(picked(order, 0, 0), None, TOLERANCE).discount == D("0.00")


def test_a_category_code_stays_on_its_lines_even_when_substituted() -> None:
    promo = percent("50", category_ids=frozenset({FRUIT}))
    order = being_picked(
        [piece("4.00", 1, category=FRUIT), piece("4.00", 1, category=DAIRY)], promo
    )
    assert order.discount == D("2.00")
    order = picked(order, 0, 0, substitute=on_shelf("3.00"))
    bill = final_bill(picked(order, 1, 1), promo, TOLERANCE)
    assert [line.discount for line in bill.lines] == [D("1.50"), D("0.00")]
    assert bill.total == D("5.50")


# --- stock --------------------------------------------------------------------


def a_substitute(units: int, product_id: object = None) -> Pick:
    item = on_shelf("1.00")
    return Pick(
        picked_quantity=0,
        substitute=SubstitutePick(
            product_id=product_id or item.product_id,  # type: ignore[arg-type]
            product_name="Substitute",
            quantity=units,
            unit_price=D("1.00"),
        ),
    )


def test_a_substitute_is_taken_and_one_it_replaces_given_back() -> None:
    first, second = a_substitute(2), a_substitute(3)
    assert substitute_stock(None, first) == {first.substitute.product_id: 2}  # type: ignore[union-attr]
    assert substitute_stock(first, second) == {
        first.substitute.product_id: -2,  # type: ignore[union-attr]
        second.substitute.product_id: 3,  # type: ignore[union-attr]
    }
    more = a_substitute(5, first.substitute.product_id)  # type: ignore[union-attr]
    assert substitute_stock(first, more) == {first.substitute.product_id: 3}  # type: ignore[union-attr]
    assert substitute_stock(first, Pick(picked_quantity=0)) == {
        first.substitute.product_id: -2  # type: ignore[union-attr]
    }
    assert substitute_stock(first, first) == {}


def test_units_not_picked_go_back_and_cancelling_returns_what_the_order_holds() -> None:
    order = being_picked([piece("1.00", 3), piece("2.00", 2), weighed("3.00", "0.500", 4)])
    apples, pears, loose = (line.product_id for line in order.lines)
    item = on_shelf("1.00")
    order = picked(order, 0, 1, substitute=item, substitute_quantity=2)
    order = picked(picked(order, 1, 2), 2, 0)
    assert unpicked(order) == dict(sorted({apples: 2, loose: 4}.items()))
    before = {apples: 3, pears: 2, loose: 4, item.product_id: 2}
    assert off_the_shelf(order) == dict(sorted(before.items()))
    done = completed(order, final_bill(order, None, TOLERANCE), order.updated_at)
    assert off_the_shelf(done) == dict(sorted({apples: 1, pears: 2, item.product_id: 2}.items()))


# --- shipping -----------------------------------------------------------------


def test_an_order_with_nothing_weighed_ships_picked_in_full() -> None:
    order = being_picked([piece("2.00", 3), piece("1.00", 1)], percent("10"))
    shipped = ready_to_ship(order)
    assert [line.pick for line in shipped.lines] == [
        Pick(picked_quantity=3),
        Pick(picked_quantity=1),
    ]
    assert shipped.final is not None
    assert (shipped.final.subtotal, shipped.final.discount, shipped.final.total) == (
        order.subtotal,
        order.discount,
        order.total,
    )
    assert [b.line_total for b in shipped.final.lines] == [li.line_total for li in order.lines]


def test_an_order_with_weighed_lines_or_picks_started_ships_only_once_picked() -> None:
    for order in (
        being_picked([piece("2.00"), weighed("3.00", "0.500", 1)]),
        picked(being_picked([piece("2.00"), piece("1.00")]), 0, 1),
    ):
        with pytest.raises(Conflict) as error:
            ready_to_ship(order)
        assert error.value.code == "picking_incomplete"
    order = picked_in_full(being_picked([weighed("3.00", "0.500", 1)]))
    done = completed(order, final_bill(order, None, TOLERANCE), order.updated_at)
    assert ready_to_ship(done) is done
