"""Pricing a cart: line amounts, the promo's discount spread over its lines, totals.

An unavailable line (archived, or more than is in stock) stays listed so the customer
sees it, but it is priced at zero: it adds nothing to the subtotal, takes no share of a
discount, and its line total is 0.00. So line totals always add up to the cart total.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from decimal import Decimal
from uuid import UUID

from grocery.core.money import ZERO, cents, spread
from grocery.core.promotions import (
    PromoCode,
    PromoRejected,
    PromoRejection,
    check_usable,
    promo_discount,
)


@dataclass(frozen=True, kw_only=True, slots=True)
class CartLine:
    product_id: UUID
    name: str
    category_id: UUID
    unit_price: Decimal
    quantity: int
    available: bool = True


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


@dataclass(frozen=True, kw_only=True, slots=True)
class PricedCart:
    lines: tuple[PricedLine, ...]
    subtotal: Decimal
    discount: Decimal
    total: Decimal
    promo_code: str | None
    # Set only by price_cart_leniently: why the cart's saved code was left off.
    promo_rejection: PromoRejection | None = None


def price_cart(
    lines: Sequence[CartLine],
    promo: PromoCode | None,
    now: datetime,
    *,
    uses_by_customer: int = 0,
) -> PricedCart:
    """Price the cart with `promo` applied; PromoRejected if the cart can't use it now.

    This is the strict pricing for applying a code and for checkout.
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
    return PricedCart(
        lines=tuple(map(_priced_line, lines, subtotals, discounts)),
        subtotal=subtotal,
        discount=discount,
        total=subtotal - discount,
        promo_code=promo.code if promo is not None else None,
    )


def price_cart_leniently(
    lines: Sequence[CartLine],
    promo: PromoCode | None,
    now: datetime,
    *,
    uses_by_customer: int = 0,
) -> PricedCart:
    """Price the cart for viewing: a saved code it can no longer use is left off.

    The cart still shows (with `promo_rejection` saying why) instead of failing because
    its code expired meanwhile; checkout uses price_cart, which refuses.
    """
    try:
        return price_cart(lines, promo, now, uses_by_customer=uses_by_customer)
    except PromoRejected as rejected:
        return replace(price_cart(lines, None, now), promo_rejection=rejected.reason)


def _priced_line(line: CartLine, subtotal: Decimal, discount: Decimal) -> PricedLine:
    return PricedLine(
        product_id=line.product_id,
        name=line.name,
        unit_price=line.unit_price,
        quantity=line.quantity,
        available=line.available,
        line_subtotal=subtotal,
        discount=discount,
        line_total=subtotal - discount,
    )
