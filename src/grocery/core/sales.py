"""Sales counters: what an order counts in its products' sales, and how picking corrects it.

Checkout counts what was ordered; once picking completes an order counts what was handed
over: the picked units, and substitutes under their own products, each with its revenue net
of its share of the line's discount.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from uuid import UUID

from grocery.core.final_bill import BilledLine
from grocery.core.money import ZERO
from grocery.core.orders import Order, OrderLine


@dataclass(frozen=True, kw_only=True, slots=True)
class ProductSales:
    units: int
    revenue: Decimal


@dataclass(frozen=True, kw_only=True, slots=True)
class SalesChange:
    """How one product's sales counters move: units, revenue and orders it was in."""

    product_id: UUID
    units: int
    revenue: Decimal
    orders: int


def counted_sales(order: Order) -> dict[UUID, ProductSales]:
    """What the order counts in its products' sales: what was handed over once picked,
    what was ordered before."""
    sales: dict[UUID, ProductSales] = {}
    if order.final is None:
        for line in order.lines:
            _count(sales, line.product_id, line.quantity, line.line_total)
        return sales
    for line in order.lines:
        sold = line_sales(line, order.final.line(line.id))
        _count(sales, line.product_id, sold.units, sold.revenue)
        if line.pick is not None and line.pick.substitute is not None:
            _count(
                sales,
                line.pick.substitute.product_id,
                sold.substitute_units,
                sold.substitute_revenue,
            )
    return sales


@dataclass(frozen=True, kw_only=True, slots=True)
class LineSales:
    """What one picked line hands over: its own product's units and revenue, and its
    substitute's, each net of its share of the line's discount."""

    units: int
    revenue: Decimal
    substitute_units: int
    substitute_revenue: Decimal
    substitute_discount: Decimal


def line_sales(line: OrderLine, billed: BilledLine) -> LineSales:
    pick = line.pick
    assert pick is not None  # a final bill has a pick for every line
    own, sub_share = billed.discount_shares
    sub = pick.substitute
    return LineSales(
        units=pick.picked_quantity,
        revenue=billed.picked_amount - own,
        substitute_units=0 if sub is None else sub.quantity,
        substitute_revenue=billed.substitute_amount - sub_share,
        substitute_discount=sub_share,
    )


def _count(sales: dict[UUID, ProductSales], product_id: UUID, units: int, revenue: Decimal) -> None:
    if units == 0:
        return
    before = sales.get(product_id, ProductSales(units=0, revenue=ZERO))
    sales[product_id] = ProductSales(units=before.units + units, revenue=before.revenue + revenue)


def sales_changes(
    before: Mapping[UUID, ProductSales], after: Mapping[UUID, ProductSales]
) -> list[SalesChange]:
    """The counter moves from one count of an order's sales to another, in product id order."""
    nothing = ProductSales(units=0, revenue=ZERO)
    changes = []
    for product_id in sorted(before.keys() | after.keys()):
        was, now = before.get(product_id, nothing), after.get(product_id, nothing)
        change = SalesChange(
            product_id=product_id,
            units=now.units - was.units,
            revenue=now.revenue - was.revenue,
            orders=(product_id in after) - (product_id in before),
        )
        if change.units or change.revenue or change.orders:
            changes.append(change)
    return changes
