"""The final bill: what the order costs for what was handed over. It follows these rules:
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

from grocery.core.errors import Conflict, Invalid, field_error
from grocery.core.money import ZERO, spread
from grocery.core.orders import Order, OrderLine
from grocery.core.picking import Pick, check_picking
from grocery.core.promotions import PromoCode, promo_discount
from grocery.core.taxes import TaxRate, class_tax

# --- the bill and its lines -----------------------------------------------------------


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
