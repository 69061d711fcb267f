"""Picking: what the picker hands over for each order line, and the final bill it makes.

A manager starts picking (the order goes `processing`), records a pick per line (how many
were picked, their weight for a weighed line, a substitute for what was missing) as often
as needed, and completes it. The final bill follows these rules:
- a weighed line costs its weight at the price per kg, never more than its estimate plus the
  weight tolerance; units not picked cost nothing;
- a substitute costs its own price, never more than the ordered units it stands in for;
- the promo discount is worked out again on the final lines, never above the checkout's;
  a minimum order met at checkout stays met (it is not checked again);
- the discount is spread over the lines as at checkout, so line totals (and the delivery
  fee, as at checkout) add up to the total;
- each line is taxed again on its final amount after its discount share, at the class and
  rate it had at checkout, and a substitute on its share at its own class and rate as
  picked (each half up to cents), with or without tax in the prices as at checkout.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from decimal import Decimal
from uuid import UUID

from grocery.core.cart import MAX_LINE_QUANTITY, ShelfItem
from grocery.core.errors import Conflict, Invalid, NotFound, field_error, invalid
from grocery.core.money import ZERO, spread
from grocery.core.orders import Order, OrderLine, OrderStatus
from grocery.core.promotions import PromoCode, promo_discount
from grocery.core.taxes import TaxRate, class_tax
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


# --- the final bill -----------------------------------------------------------


@dataclass(frozen=True, kw_only=True, slots=True)
class BilledLine:
    line_id: UUID
    picked_amount: Decimal  # what the picked units cost
    substitute_amount: Decimal  # what the substitute costs (0.00 without one)
    discount: Decimal  # the line's share of the final discount
    tax: Decimal = ZERO  # on line_total: the picked units' and the substitute's

    @property
    def amount(self) -> Decimal:
        return self.picked_amount + self.substitute_amount

    @property
    def line_total(self) -> Decimal:
        return self.amount - self.discount

    @property
    def discount_shares(self) -> tuple[Decimal, Decimal]:
        """The discount split between the picked units and the substitute, by amount."""
        own, substitute = spread(self.discount, [self.picked_amount, self.substitute_amount])
        return own, substitute

    def taxes(
        self, own: TaxRate | None, substitute: TaxRate | None, *, included: bool
    ) -> tuple[Decimal, Decimal]:
        """The picked units' tax at the line's class and the substitute's at its own."""
        own_share, sub_share = self.discount_shares
        return (
            class_tax(self.picked_amount - own_share, own, included=included),
            class_tax(self.substitute_amount - sub_share, substitute, included=included),
        )


@dataclass(frozen=True, kw_only=True, slots=True)
class FinalBill:
    lines: tuple[BilledLine, ...]  # in the order's line order
    subtotal: Decimal
    discount: Decimal
    total: Decimal  # subtotal - discount + the order's delivery fee (+ tax when added)
    tax: Decimal = ZERO

    def line(self, line_id: UUID) -> BilledLine:
        return next(billed for billed in self.lines if billed.line_id == line_id)


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


# --- completing ---------------------------------------------------------------


def final_bill(order: Order, promo: PromoCode | None, tolerance_percent: Decimal) -> FinalBill:
    """The bill for what was handed over; Invalid `lines_not_picked` naming any line without
    a pick. `promo` is the order's code (None when it had none or it is gone)."""
    check_picking(order)
    _check_all_picked(order)
    amounts = [_line_amounts(line, tolerance_percent) for line in order.lines]
    covered = [i for i, line in enumerate(order.lines) if _covered(promo, order, line)]
    totals = [picked + sub for picked, sub in amounts]
    discount = _final_discount(order, promo, covered, totals)
    discounts = [ZERO for _ in order.lines]
    shares = spread(discount, [totals[i] for i in covered])
    for i, share in zip(covered, shares, strict=True):
        discounts[i] = share
    lines = tuple(
        _billed(order, line, amount, share)
        for line, amount, share in zip(order.lines, amounts, discounts, strict=True)
    )
    subtotal = sum((line.amount for line in lines), ZERO)
    tax = sum((line.tax for line in lines), ZERO)
    added = ZERO if order.prices_include_tax else tax
    return FinalBill(
        lines=lines,
        subtotal=subtotal,
        discount=discount,
        # The delivery fee stays as at checkout: what was delivered was delivered.
        total=subtotal - discount + order.delivery_fee + added,
        tax=tax,
    )


def _billed(
    order: Order, line: OrderLine, amounts: tuple[Decimal, Decimal], share: Decimal
) -> BilledLine:
    billed = BilledLine(
        line_id=line.id, picked_amount=amounts[0], substitute_amount=amounts[1], discount=share
    )
    rates = line.taxed_by, line.substitute_taxed_by
    return replace(billed, tax=sum(billed.taxes(*rates, included=order.prices_include_tax), ZERO))


def _check_all_picked(order: Order) -> None:
    unpicked = [line for line in order.lines if line.pick is None]
    if unpicked:
        raise Invalid(
            "Some lines are not picked yet.",
            code="lines_not_picked",
            errors=[
                field_error(
                    "lines",
                    f"{line.product_name}: not picked yet",
                    line_id=str(line.id),
                    product_id=str(line.product_id),
                )
                for line in unpicked
            ],
        )


def _line_amounts(line: OrderLine, tolerance_percent: Decimal) -> tuple[Decimal, Decimal]:
    """What the picked units and the substitute cost."""
    pick = line.pick
    assert pick is not None  # checked by _check_all_picked
    picked = pick.picked_quantity
    estimate = line.price_at_purchase * picked
    weight = pick.picked_weight_kg
    if line.weighing is not None and weight is not None:
        picked_amount = line.weighing.cost(weight, estimate, tolerance_percent)
    else:
        picked_amount = estimate
    sub = pick.substitute
    if sub is None:
        return picked_amount, ZERO
    stands_in_for = line.price_at_purchase * (line.quantity - picked)
    return picked_amount, min(sub.own_cost(tolerance_percent), stands_in_for)


def _covered(promo: PromoCode | None, order: Order, line: OrderLine) -> bool:
    """Whether the line's amount counts towards the order's discount."""
    if order.discount.is_zero():
        return False
    if promo is None or not promo.category_ids:
        return True
    return line.category_id is not None and promo.covers(line.category_id)


def _final_discount(
    order: Order, promo: PromoCode | None, covered: list[int], amounts: list[Decimal]
) -> Decimal:
    """The checkout's discount less what the code gives less for the goods that changed.

    With the code's terms as at checkout this is the code's discount on the final lines,
    capped at the checkout's. Worked as a difference, a code edited since checkout can't
    raise the bill for goods that didn't change. A code that is gone counts as a fixed
    discount of the checkout's amount.
    """
    if not covered:
        return ZERO
    at_checkout = sum((order.lines[i].subtotal for i in covered), ZERO)
    final = sum((amounts[i] for i in covered), ZERO)

    def discount_on(amount: Decimal) -> Decimal:
        if promo is None:
            return min(order.discount, amount)
        return promo_discount(promo, amount)

    kept = order.discount - (discount_on(at_checkout) - discount_on(final))
    return max(ZERO, min(kept, order.discount, final))


def completed(order: Order, bill: FinalBill, at: datetime) -> Order:
    return replace(order, final=bill, updated_at=at)


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


# --- shipping -----------------------------------------------------------------


def ready_to_ship(order: Order) -> Order:
    """The order as it ships: picked already, or picked in full now when none of its lines
    needs weighing and no pick was recorded; else Conflict `picking_incomplete`."""
    if order.final is not None:
        return order
    if any(line.weighing is not None or line.pick is not None for line in order.lines):
        raise Conflict(
            "Picking of this order is not complete: complete it before shipping.",
            code="picking_incomplete",
        )
    lines = tuple(replace(line, pick=Pick(picked_quantity=line.quantity)) for line in order.lines)
    billed = tuple(
        BilledLine(
            line_id=line.id,
            picked_amount=line.subtotal,
            substitute_amount=ZERO,
            discount=line.discount,
            tax=line.tax,
        )
        for line in order.lines
    )
    bill = FinalBill(
        lines=billed,
        subtotal=order.subtotal,
        discount=order.discount,
        total=order.total,
        tax=order.tax,
    )
    return replace(order, lines=lines, final=bill)
