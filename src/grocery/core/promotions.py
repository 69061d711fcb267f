"""Promo codes: their terms, whether a cart may use one now, and how much it takes off."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from uuid import UUID

from grocery.core.errors import ErrorDetail, Invalid
from grocery.core.money import cents

_CODE = re.compile(r"[A-Za-z0-9_-]{1,40}")
# The columns' limits: numeric(12,2) and integer. Beyond them it is a typo.
MAX_AMOUNT = Decimal("9999999999.99")
MAX_COUNT = 2_147_483_647


class DiscountType(StrEnum):
    PERCENT = "percent"
    FIXED = "fixed"


class PromoRejection(StrEnum):
    """Why a code can't be used: the contract's reason codes."""

    NOT_FOUND = "promo_not_found"
    INACTIVE = "promo_inactive"
    NOT_STARTED = "promo_not_started"
    EXPIRED = "promo_expired"
    MIN_ORDER_NOT_MET = "promo_min_order_not_met"
    USAGE_LIMIT_REACHED = "promo_usage_limit_reached"
    CUSTOMER_LIMIT_REACHED = "promo_customer_limit_reached"
    NOT_APPLICABLE = "promo_not_applicable"


_REJECTION_DETAIL = {
    PromoRejection.NOT_FOUND: "There is no such promo code.",
    PromoRejection.INACTIVE: "This promo code is not active.",
    PromoRejection.NOT_STARTED: "This promo code is not valid yet.",
    PromoRejection.EXPIRED: "This promo code has expired.",
    PromoRejection.MIN_ORDER_NOT_MET: "The order is below this promo code's minimum amount.",
    PromoRejection.USAGE_LIMIT_REACHED: "This promo code has been used up.",
    PromoRejection.CUSTOMER_LIMIT_REACHED: "You have used this promo code as often as allowed.",
    PromoRejection.NOT_APPLICABLE: "This promo code applies to nothing in the cart.",
}


class PromoRejected(Invalid):
    """A code the customer may not use now; `code` is the reason (HTTP 422)."""

    def __init__(self, reason: PromoRejection) -> None:
        super().__init__(_REJECTION_DETAIL[reason], code=reason.value)
        self.reason = reason


@dataclass(frozen=True, kw_only=True, slots=True)
class PromoCode:
    id: UUID
    code: str
    discount_type: DiscountType
    value: Decimal
    created_at: datetime
    is_active: bool = True
    starts_at: datetime | None = None
    expires_at: datetime | None = None
    min_order_amount: Decimal | None = None
    max_discount: Decimal | None = None
    max_uses: int | None = None
    max_uses_per_customer: int | None = None
    category_ids: frozenset[UUID] = frozenset()  # empty: the whole cart
    times_used: int = 0

    @property
    def limits_each_customer(self) -> bool:
        """Whether a customer's own redemptions decide if they may use it."""
        return self.max_uses_per_customer is not None

    def covers(self, category_id: UUID) -> bool:
        """Whether a product of this category counts towards the discount."""
        return not self.category_ids or category_id in self.category_ids


def normalise_code(code: str) -> str:
    """The form codes are stored and looked up in, so uniqueness ignores case."""
    return code.strip().upper()


def promo_not_found() -> PromoRejected:
    """For callers whose lookup of a typed code found nothing."""
    return PromoRejected(PromoRejection.NOT_FOUND)


def promo_used_up() -> PromoRejected:
    """For a checkout whose claim of one more use found the code used up (or gone)."""
    return PromoRejected(PromoRejection.USAGE_LIMIT_REACHED)


def validate_promo_terms(promo: PromoCode) -> PromoCode:
    """The promo with its code normalised, or Invalid listing every broken term.

    Used for new codes and for edits (validate the edited whole, not just the change):
    an edit may not set max_uses below the uses already counted.
    """
    errors = [
        *_code_errors(promo.code.strip()),
        *_value_errors(promo.discount_type, promo.value),
        *_window_errors(promo.starts_at, promo.expires_at),
        *_limit_errors(promo),
    ]
    if errors:
        raise Invalid("The promo code's terms are not valid.", errors=errors)
    return replace(promo, code=normalise_code(promo.code))


def check_usable(
    promo: PromoCode,
    *,
    subtotal_eligible: Decimal,
    subtotal: Decimal,
    now: datetime,
    uses_by_customer: int,
) -> None:
    """Raise PromoRejected with the first reason this cart can't use the code now.

    `subtotal` is the whole cart's (the minimum order is about the order);
    `subtotal_eligible` only counts lines in the code's categories; `uses_by_customer`
    is how often this customer redeemed it (counted only when the code limits each customer).
    """
    reason = _rejection(promo, subtotal_eligible, subtotal, now, uses_by_customer)
    if reason is not None:
        raise PromoRejected(reason)


def promo_discount(promo: PromoCode, subtotal_eligible: Decimal) -> Decimal:
    """What the code takes off its eligible lines: never more than they cost."""
    if promo.discount_type is DiscountType.PERCENT:
        discount = cents(subtotal_eligible * promo.value / 100)
        if promo.max_discount is not None:
            discount = min(discount, cents(promo.max_discount))
    else:
        discount = cents(promo.value)
    return min(discount, subtotal_eligible)


def _rejection(
    promo: PromoCode,
    subtotal_eligible: Decimal,
    subtotal: Decimal,
    now: datetime,
    uses_by_customer: int,
) -> PromoRejection | None:
    if not promo.is_active:
        return PromoRejection.INACTIVE
    if promo.starts_at is not None and now < promo.starts_at:
        return PromoRejection.NOT_STARTED
    if promo.expires_at is not None and now >= promo.expires_at:
        return PromoRejection.EXPIRED
    if promo.max_uses is not None and promo.times_used >= promo.max_uses:
        return PromoRejection.USAGE_LIMIT_REACHED
    limit = promo.max_uses_per_customer
    if limit is not None and uses_by_customer >= limit:
        return PromoRejection.CUSTOMER_LIMIT_REACHED
    if promo.category_ids and subtotal_eligible <= 0:
        return PromoRejection.NOT_APPLICABLE
    if promo.min_order_amount is not None and subtotal < promo.min_order_amount:
        return PromoRejection.MIN_ORDER_NOT_MET
    return None


def _code_errors(code: str) -> list[ErrorDetail]:
    if _CODE.fullmatch(code):
        return []
    return [_error("code", "must be 1 to 40 letters, digits, '-' or '_'")]


def _value_errors(discount_type: DiscountType, value: Decimal) -> list[ErrorDetail]:
    if discount_type is DiscountType.PERCENT and not 0 < value <= 100:
        return [_error("value", "a percent discount must be above 0 and at most 100")]
    if discount_type is DiscountType.FIXED and not value > 0:
        return [_error("value", "a fixed discount must be above 0")]
    return []


def _window_errors(starts_at: datetime | None, expires_at: datetime | None) -> list[ErrorDetail]:
    naive = [
        _error(field, "must include a time zone")
        for field, moment in (("starts_at", starts_at), ("expires_at", expires_at))
        if moment is not None and moment.utcoffset() is None
    ]
    if naive or starts_at is None or expires_at is None or expires_at > starts_at:
        return naive
    return [_error("expires_at", "must be after starts_at")]


def _limit_errors(promo: PromoCode) -> list[ErrorDetail]:
    amounts = [
        _error(field, "must not be negative")
        for field, amount in (
            ("min_order_amount", promo.min_order_amount),
            ("max_discount", promo.max_discount),
        )
        if amount is not None and amount < 0
    ]
    counts = [
        (field, count)
        for field, count in (
            ("max_uses", promo.max_uses),
            ("max_uses_per_customer", promo.max_uses_per_customer),
        )
        if count is not None
    ]
    too_few = [_error(field, "must be at least 1") for field, count in counts if count < 1]
    too_many = [
        _error(field, f"must be at most {MAX_COUNT}")
        for field, count in counts
        if count > MAX_COUNT
    ]
    used = []
    if promo.max_uses is not None and promo.max_uses < promo.times_used:
        used = [_error("max_uses", f"must not be below times_used ({promo.times_used})")]
    return amounts + too_few + too_many + used


def _error(field: str, message: str) -> ErrorDetail:
    return {"field": field, "message": message}
