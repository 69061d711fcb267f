"""The stock ledger's rules: a manager's entries, movements from stock changes, the ledger rule;
and the sales counters' corrections after picking."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from uuid import uuid4

import pytest
from hypothesis import given
from hypothesis import strategies as st

from grocery.core.alerts import StockMove
from grocery.core.catalog import MAX_QUANTITY
from grocery.core.errors import Invalid
from grocery.core.sales import ProductSales, SalesChange, sales_changes
from grocery.core.stock import (
    NOTE_MAX_LENGTH,
    MovementKind,
    check_room,
    initial_movement,
    ledger_holds,
    movement,
    movements,
    stock_entry,
)

D = Decimal
NOW = datetime(2030, 5, 1, 12, 0, tzinfo=UTC)


def moved(before: int, after: int) -> StockMove:
    return StockMove(
        product_id=uuid4(), product_name="Milk", stock_before=before, stock_after=after, threshold=5
    )


@pytest.mark.parametrize(
    ("kind", "quantity"), [("receipt", 12), ("adjustment", -3), ("adjustment", 4)]
)
def test_a_manager_records_receipts_and_adjustments(kind: str, quantity: int) -> None:
    entry = stock_entry(kind, quantity, "  counted twice ")
    assert (entry.kind, entry.quantity, entry.note) == (
        MovementKind(kind),
        quantity,
        "counted twice",
    )
    assert stock_entry(kind, quantity, "   ").note is None


@pytest.mark.parametrize(
    ("kind", "quantity", "note", "fields"),
    [
        ("receipt", 0, None, ["quantity"]),
        ("receipt", -2, None, ["quantity"]),
        ("adjustment", 0, None, ["quantity"]),
        ("adjustment", 1_000_001, None, ["quantity"]),
        ("sale", 3, None, ["kind"]),
        ("initial", 3, None, ["kind"]),
        ("theft", 3, "x" * (NOTE_MAX_LENGTH + 1), ["kind", "note"]),
    ],
)
def test_other_entries_are_refused(
    kind: str, quantity: int, note: str | None, fields: list[str]
) -> None:
    with pytest.raises(Invalid) as error:
        stock_entry(kind, quantity, note)
    assert [e["field"] for e in error.value.errors] == fields


def test_an_entry_may_fill_a_shelf_to_the_most_a_product_holds_and_no_further() -> None:
    check_room(MAX_QUANTITY - 10, stock_entry("receipt", 10))
    check_room(MAX_QUANTITY + 5, stock_entry("adjustment", -5))  # a count down is always fine
    with pytest.raises(Invalid) as error:
        check_room(MAX_QUANTITY - 10, stock_entry("receipt", 11))
    assert [e["field"] for e in error.value.errors] == ["quantity"]


def test_a_movement_is_the_signed_change_with_the_stock_after_it() -> None:
    order_id, user_id = uuid4(), uuid4()
    move = moved(10, 7)
    line = movement(move, MovementKind.SALE, NOW, order_id=order_id, user_id=user_id)
    assert (line.product_id, line.kind, line.quantity, line.stock_after) == (
        move.product_id,
        MovementKind.SALE,
        -3,
        7,
    )
    assert (line.order_id, line.user_id, line.created_at) == (order_id, user_id, NOW)


def test_a_change_of_nothing_leaves_no_line() -> None:
    lines = movements([moved(4, 4), moved(4, 6)], MovementKind.CANCELLATION, NOW)
    assert [line.quantity for line in lines] == [2]


def test_a_new_product_starts_its_ledger_with_its_stock() -> None:
    product_id = uuid4()
    first = initial_movement(product_id, 25, NOW)
    assert first is not None
    assert (first.kind, first.quantity, first.stock_after) == (MovementKind.INITIAL, 25, 25)
    assert initial_movement(product_id, 0, NOW) is None


@given(st.lists(st.integers(-50, 50).filter(bool), max_size=30))
def test_stock_is_the_sum_of_its_movements(changes: list[int]) -> None:
    stock, ledger = 0, []
    for change in changes:
        if stock + change < 0:
            continue  # the shelf can't go below zero: such a change is refused
        ledger.append(movement(moved(stock, stock + change), MovementKind.ADJUSTMENT, NOW))
        stock += change
    assert ledger_holds(stock, ledger)
    assert not ledger_holds(stock + 1, ledger)


def test_sales_changes_move_units_revenue_and_orders() -> None:
    kept, short, substitute = sorted([uuid4(), uuid4(), uuid4()])
    before = {
        kept: ProductSales(units=3, revenue=D("6.00")),
        short: ProductSales(units=2, revenue=D("5.00")),
    }
    after = {
        kept: ProductSales(units=2, revenue=D("4.00")),
        substitute: ProductSales(units=1, revenue=D("2.20")),
    }
    assert sales_changes(before, after) == [
        SalesChange(product_id=kept, units=-1, revenue=D("-2.00"), orders=0),
        SalesChange(product_id=short, units=-2, revenue=D("-5.00"), orders=-1),
        SalesChange(product_id=substitute, units=1, revenue=D("2.20"), orders=1),
    ]
    assert sales_changes(before, before) == []
