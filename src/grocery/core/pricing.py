"""Pricing a cart: line amounts, the promo's discount spread over its lines, each line's
tax on what is left of it, the delivery fee (untaxed), totals.

An unavailable line (archived, or more than is in stock) stays listed so the customer
sees it, but it is priced at zero: it adds nothing to the subtotal, takes no share of a
discount, and its line total is 0.00. So line totals plus the delivery fee (plus the tax,
when prices are without it) always add up to the cart total.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from decimal import Decimal
from uuid import UUID

from grocery.core.errors import Invalid, field_error
from grocery.core.fulfilment.slots import CartFulfilment
from grocery.core.fulfilment.zones import DeliveryTerms, FulfilmentMethod
from grocery.core.money import ZERO, cents, format_money, spread
from grocery.core.promotions import (
    PromoCode,
    PromoRejected,
    PromoRejection,
    check_usable,
    promo_discount,
)
from grocery.core.substitutions import NO_PREFERENCE, SubstitutionChoice
from grocery.core.taxes import ClassTax, TaxRate, line_tax, taxes_by_class
from grocery.core.weights import Weighing


@dataclass(frozen=True, kw_only=True, slots=True)
class CartLine:
    product_id: UUID
    name: str
    category_id: UUID
    unit_price: Decimal  # per piece, or per step of a weighed product
    quantity: int
    available: bool = True
    weighing: Weighing | None = None  # sold by weight: the line's amount is an estimate
    choice: SubstitutionChoice = NO_PREFERENCE
    taxed_by: TaxRate | None = None  # the product's class, else its category's; None: untaxed


@dataclass(frozen=True, kw_only=True, slots=True)
class PricedLine:
    product_id: UUID
    name: str
    unit_price: Decimal
    quantity: int
    available: bool
    line_subtotal: Decimal
    discount: Decimal
    line_total: Decimal
    category_id: UUID | None = None
    weighing: Weighing | None = None
    choice: SubstitutionChoice = NO_PREFERENCE
    tax: Decimal = ZERO  # on line_total: on top of it, or included in it
    taxed_by: TaxRate | None = None

    @property
    def estimated_weight_kg(self) -> Decimal | None:
        return None if self.weighing is None else self.weighing.weight_of(self.quantity)


@dataclass(frozen=True, kw_only=True, slots=True)
class PricedCart:
    lines: tuple[PricedLine, ...]
    subtotal: Decimal
    discount: Decimal
    total: Decimal
    promo_code: str | None
    # Set only by price_cart_leniently: why the cart's saved code was left off.
    promo_rejection: PromoRejection | None = None
    delivery_fee: Decimal = ZERO
    # The slot the cart holds, set by the cart service; pricing only needs its terms.
    fulfilment: CartFulfilment | None = None
    tax: Decimal = ZERO
    prices_include_tax: bool = False

    @property
    def goods(self) -> Decimal:
        """What the groceries cost after the discount: the amount delivery terms look at."""
        return self.subtotal - self.discount

    @property
    def taxes(self) -> tuple[ClassTax, ...]:
        """The tax per class of the lines that can be had."""
        return taxes_by_class((line.taxed_by, line.tax) for line in self.lines if line.available)


def price_cart(
    lines: Sequence[CartLine],
    promo: PromoCode | None,
    now: datetime,
    *,
    uses_by_customer: int,
    delivery: DeliveryTerms | None,
    prices_include_tax: bool = False,
) -> PricedCart:
    """Price the cart with `promo` applied and delivered on `delivery`'s terms (None: the
    cart holds no slot); PromoRejected if the cart can't use the code now. Prices with tax:
    the total stays as it is and each line shows the tax it includes; without: tax is added.

    `delivery` is always named by the caller: a forgotten one would quietly drop the fee.

    This is the strict pricing for applying a code and for checkout. `uses_by_customer`
    is how often this customer redeemed `promo` (see customer_uses in services/cart.py).
    """
    subtotals = [
        cents(line.unit_price * line.quantity) if line.available else ZERO for line in lines
    ]
    subtotal = sum(subtotals, ZERO)
    discounts = [ZERO for _ in lines]
    if promo is not None:
        eligible = [
            i for i, line in enumerate(lines) if line.available and promo.covers(line.category_id)
        ]
        eligible_subtotals = [subtotals[i] for i in eligible]
        subtotal_eligible = sum(eligible_subtotals, ZERO)
        check_usable(
            promo,
            subtotal_eligible=subtotal_eligible,
            subtotal=subtotal,
            now=now,
            uses_by_customer=uses_by_customer,
        )
        shares = spread(promo_discount(promo, subtotal_eligible), eligible_subtotals)
        for i, share in zip(eligible, shares, strict=True):
            discounts[i] = share
    discount = sum(discounts, ZERO)
    taxes = [
        _tax(line, amount - share, prices_include_tax)
        for line, amount, share in zip(lines, subtotals, discounts, strict=True)
    ]
    tax = sum(taxes, ZERO)
    fee = delivery_fee(delivery, subtotal - discount)
    return PricedCart(
        lines=tuple(map(_priced_line, lines, subtotals, discounts, taxes)),
        subtotal=subtotal,
        discount=discount,
        total=subtotal - discount + fee + (ZERO if prices_include_tax else tax),
        promo_code=promo.code if promo is not None else None,
        delivery_fee=fee,
        tax=tax,
        prices_include_tax=prices_include_tax,
    )


def _tax(line: CartLine, amount: Decimal, included: bool) -> Decimal:
    """A line's tax on its amount after its discount share (an unavailable line's is 0.00)."""
    if line.taxed_by is None:
        return ZERO
    return line_tax(amount, line.taxed_by.rate, included=included)


def delivery_fee(terms: DeliveryTerms | None, goods: Decimal) -> Decimal:
    """The zone's fee, or nothing: for pickup, without a slot, or once the goods (subtotal
    less discount) reach the zone's free-delivery threshold."""
    if terms is None or terms.method is FulfilmentMethod.PICKUP:
        return ZERO
    if terms.free_delivery_over is not None and goods >= terms.free_delivery_over:
        return ZERO
    return cents(terms.fee)


def check_minimum_order(terms: DeliveryTerms | None, goods: Decimal) -> None:
    """Invalid `min_order_not_met` when the goods (subtotal less discount) are below the
    delivery zone's minimum order."""
    least = None if terms is None else terms.min_order_amount
    if least is not None and goods < least:
        message = f"the groceries must come to at least {format_money(least)}"
        raise Invalid(
            f"This zone delivers orders of {format_money(least)} or more.",
            code="min_order_not_met",
            errors=[field_error("total", message)],
        )


def price_cart_leniently(
    lines: Sequence[CartLine],
    promo: PromoCode | None,
    now: datetime,
    *,
    uses_by_customer: int,
    delivery: DeliveryTerms | None,
    prices_include_tax: bool = False,
) -> PricedCart:
    """Price the cart for viewing: a saved code it can no longer use is left off.

    The cart still shows (with `promo_rejection` saying why) instead of failing because
    its code expired meanwhile; checkout uses price_cart, which refuses.
    """

    def priced(code: PromoCode | None) -> PricedCart:
        return price_cart(
            lines,
            code,
            now,
            uses_by_customer=uses_by_customer,
            delivery=delivery,
            prices_include_tax=prices_include_tax,
        )

    try:
        return priced(promo)
    except PromoRejected as rejected:
        return replace(priced(None), promo_rejection=rejected.reason)


def _priced_line(line: CartLine, subtotal: Decimal, discount: Decimal, tax: Decimal) -> PricedLine:
    return PricedLine(
        product_id=line.product_id,
        name=line.name,
        unit_price=line.unit_price,
        quantity=line.quantity,
        available=line.available,
        line_subtotal=subtotal,
        discount=discount,
        line_total=subtotal - discount,
        category_id=line.category_id,
        weighing=line.weighing,
        choice=line.choice,
        tax=tax,
        taxed_by=line.taxed_by,
    )
