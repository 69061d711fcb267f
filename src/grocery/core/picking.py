"""Picking: what the picker hands over for each order line, and what that does to stock.

A manager starts picking (the order goes `processing`), records a pick per line (how many
were picked, their weight for a weighed line, a substitute for what was missing) as often
as needed, and completes it (core/final_bill.py makes the bill).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from decimal import Decimal
from uuid import UUID

from grocery.core.cart import MAX_LINE_QUANTITY, ShelfItem
from grocery.core.errors import Conflict, Invalid, NotFound, invalid
from grocery.core.orders import Order, OrderLine, OrderStatus
from grocery.core.taxes import TaxRate
from grocery.core.weights import Weighing, parse_kg

# --- what the picker sends and what is recorded ------------------------------


@dataclass(frozen=True, kw_only=True, slots=True)
class SubstituteRequest:
    product_id: UUID
    quantity: int
    weight_kg: str | Decimal | None = None


@dataclass(frozen=True, kw_only=True, slots=True)
class PickRequest:
    picked_quantity: int
    picked_weight_kg: str | Decimal | None = None
    substitute: SubstituteRequest | None = None


@dataclass(frozen=True, kw_only=True, slots=True)
class SubstitutePick:
    """A product handed over instead of missing units, priced as it was when picked."""

    product_id: UUID
    product_name: str
    quantity: int
    unit_price: Decimal  # per piece, or per step of a weighed product
    weighing: Weighing | None = None
    weight_kg: Decimal | None = None
    taxed_by: TaxRate | None = None  # its own class as picked, not the line's

    def own_cost(self, tolerance_percent: Decimal) -> Decimal:
        estimate = self.unit_price * self.quantity
        if self.weighing is None or self.weight_kg is None:
            return estimate
        return self.weighing.cost(self.weight_kg, estimate, tolerance_percent)


@dataclass(frozen=True, kw_only=True, slots=True)
class Pick:
    picked_quantity: int
    picked_weight_kg: Decimal | None = None
    substitute: SubstitutePick | None = None


# --- recording picks ----------------------------------------------------------


def is_being_picked(order: Order) -> bool:
    """Whether picks may be recorded: processing, and picking not yet complete."""
    return order.status is OrderStatus.PROCESSING and order.final is None


def check_picking(order: Order) -> None:
    """Conflict `not_picking` unless the order is being picked (processing, not complete)."""
    if order.status is not OrderStatus.PROCESSING:
        raise Conflict(f"An order that is {order.status} is not being picked.", code="not_picking")
    if order.final is not None:
        raise Conflict("Picking of this order is already complete.", code="not_picking")


def picking_line(order: Order, line_id: UUID) -> OrderLine:
    """The line to record a pick for, on an order being picked."""
    line = next((line for line in order.lines if line.id == line_id), None)
    if line is None:
        raise NotFound("This order has no such line.")
    check_picking(order)
    return line


def recorded_pick(line: OrderLine, request: PickRequest, substitute: ShelfItem | None) -> Pick:
    """The pick a request records, checked against its line; `substitute` is the product the
    request names as a substitute, as the shelf has it (None when unknown)."""
    picked = request.picked_quantity
    if not 0 <= picked <= line.quantity:
        raise invalid("picked_quantity", f"must be between 0 and {line.quantity}")
    return Pick(
        picked_quantity=picked,
        picked_weight_kg=_weight(line.weighing, picked, request.picked_weight_kg, "picked_"),
        substitute=None
        if request.substitute is None
        else _substitute(line, picked, request.substitute, substitute),
    )


def _weight(
    weighing: Weighing | None, steps: int, weight: str | Decimal | None, prefix: str
) -> Decimal | None:
    """A weighed line's weight: required when something was picked, else refused."""
    field = f"{prefix}weight_kg"
    if weighing is None:
        if weight is not None:
            raise invalid(field, "is only for products sold by weight")
        return None
    if steps == 0:
        if weight is not None:
            raise invalid(field, "is only for a line where something was picked")
        return None
    if weight is None:
        raise invalid(field, "is required for a product sold by weight")
    kg = parse_kg(weight, field=field)
    weighing.check_weight(kg, steps, field=field)
    return kg


def _substitute(
    line: OrderLine, picked: int, request: SubstituteRequest, item: ShelfItem | None
) -> SubstitutePick:
    if not line.choice.allowed:
        raise _not_allowed("The customer asked for no substitutes on this line.")
    if picked == line.quantity:
        raise _not_allowed("This line was picked in full: there is nothing to substitute.")
    if request.product_id == line.product_id:
        raise _not_allowed("A substitute must be another product.")
    if item is None or not item.available:
        raise invalid("substitute.product_id", "is not a product for sale")
    if not 1 <= request.quantity <= MAX_LINE_QUANTITY:
        raise invalid("substitute.quantity", f"must be between 1 and {MAX_LINE_QUANTITY}")
    return SubstitutePick(
        product_id=item.product_id,
        product_name=item.name,
        quantity=request.quantity,
        unit_price=item.price_of_one,
        weighing=item.weighing,
        weight_kg=_weight(item.weighing, request.quantity, request.weight_kg, "substitute."),
        taxed_by=item.taxed_by,
    )


def _not_allowed(detail: str) -> Invalid:
    return Invalid(detail, code="substitution_not_allowed")


def with_pick(order: Order, line_id: UUID, pick: Pick, at: datetime) -> Order:
    lines = tuple(replace(line, pick=pick) if line.id == line_id else line for line in order.lines)
    return replace(order, lines=lines, updated_at=at)


def substitute_stock(before: Pick | None, after: Pick) -> dict[UUID, int]:
    """Units to take off the shelf (+) or give back (-), per product, as `after` replaces
    `before`: a new substitute is taken, one it replaces is given back."""
    changes: dict[UUID, int] = {}
    if before is not None and before.substitute is not None:
        changes[before.substitute.product_id] = -before.substitute.quantity
    if after.substitute is not None:
        product_id = after.substitute.product_id
        changes[product_id] = changes.get(product_id, 0) + after.substitute.quantity
    return {product_id: units for product_id, units in sorted(changes.items()) if units}


# --- what picking does to stock and sales ---------------------------------------


def unpicked(order: Order) -> dict[UUID, int]:
    """Units ordered but not picked, per product in id order: they go back on the shelf."""
    back: dict[UUID, int] = {}
    for line in order.lines:
        if line.pick is not None and line.pick.picked_quantity < line.quantity:
            missing = line.quantity - line.pick.picked_quantity
            back[line.product_id] = back.get(line.product_id, 0) + missing
    return dict(sorted(back.items()))


def off_the_shelf(order: Order) -> dict[UUID, int]:
    """Units this order holds off the shelf, per product in id order: what cancelling it puts
    back. Ordered units until picking completes (then the picked ones), and substitutes
    from when they are picked."""
    held: dict[UUID, int] = {}
    for line in order.lines:
        pick = line.pick
        units = line.quantity if order.final is None or pick is None else pick.picked_quantity
        held[line.product_id] = held.get(line.product_id, 0) + units
        if pick is not None and pick.substitute is not None:
            sub = pick.substitute
            held[sub.product_id] = held.get(sub.product_id, 0) + sub.quantity
    return {product_id: units for product_id, units in sorted(held.items()) if units}
