"""Promo codes: their terms, whether a cart may use one now, and how much it takes off."""

from __future__ import annotations

import re
from dataclasses import dataclass, fields, replace
from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from functools import partial
from uuid import UUID

from grocery.core.edits import KEEP, Keep, left_out
from grocery.core.errors import ErrorDetail, Invalid, Problems
from grocery.core.money import ZERO, cents, parse_money

PROMO_CODE_MAX_LENGTH = 40
_CODE = re.compile(rf"[A-Za-z0-9_-]{{1,{PROMO_CODE_MAX_LENGTH}}}")
_NOT_VALID = "The promo code's terms are not valid."
_MONEY_FIELDS = frozenset({"value", "min_order_amount", "max_discount"})
_REQUIRED = ("code", "discount_type", "value")
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


@dataclass(frozen=True, kw_only=True, slots=True)
class PromoEdit:
    """A manager's form: a new code's terms, or the changes to one. Money comes as typed;
    None clears a term that may be empty."""

    code: str | Keep = KEEP
    discount_type: DiscountType | Keep = KEEP
    value: str | Keep = KEEP
    is_active: bool | Keep = KEEP
    starts_at: datetime | Keep | None = KEEP
    expires_at: datetime | Keep | None = KEEP
    min_order_amount: str | Keep | None = KEEP
    max_discount: str | Keep | None = KEEP
    max_uses: int | Keep | None = KEEP
    max_uses_per_customer: int | Keep | None = KEEP
    category_ids: frozenset[UUID] | Keep = KEEP


def new_promo(edit: PromoEdit, *, id: UUID, created_at: datetime) -> PromoCode:
    """A code from a manager's form: code, discount_type and value are required."""
    left_out(edit, _REQUIRED).raise_if_any(_NOT_VALID)
    blank = PromoCode(
        id=id, code="", discount_type=DiscountType.FIXED, value=ZERO, created_at=created_at
    )
    return edited_promo(blank, edit)


def edited_promo(promo: PromoCode, edit: PromoEdit) -> PromoCode:
    """The promo with the edit applied and its code normalised, or Invalid listing every
    problem: the edited whole is checked, not just the change, so an edit may not set
    max_uses below the uses already counted."""
    problems = Problems()
    changes: dict[str, object] = {}
    for name in (field.name for field in fields(edit)):
        value: object = getattr(edit, name)
        if name in _MONEY_FIELDS and isinstance(value, str):
            read = partial(parse_money, value, field=name, at_most=MAX_AMOUNT)
            value = problems.read(read, KEEP)  # left as it was when it can't be read
        if value is not KEEP:
            changes[name] = value
    candidate: PromoCode = replace(promo, **changes)  # type: ignore[arg-type]
    unreadable = problems.fields  # their terms would be judged on the old amount: said already
    problems.extend(error for error in _broken_terms(candidate) if error["field"] not in unreadable)
    problems.raise_if_any(_NOT_VALID)
    return replace(candidate, code=normalise_code(candidate.code))


def validate_promo_terms(promo: PromoCode) -> PromoCode:
    """The promo with its code normalised, or Invalid listing every broken term."""
    Problems(_broken_terms(promo)).raise_if_any(_NOT_VALID)
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


def _broken_terms(promo: PromoCode) -> list[ErrorDetail]:
    problems = Problems()
    if not _CODE.fullmatch(promo.code.strip()):
        problems.add("code", "must be 1 to 40 letters, digits, '-' or '_'")
    problems.add("value", _value_problem(promo.discount_type, promo.value))
    _check_window(problems, promo.starts_at, promo.expires_at)
    _check_limits(problems, promo)
    return problems.errors


def _value_problem(discount_type: DiscountType, value: Decimal) -> str | None:
    if discount_type is DiscountType.PERCENT and not 0 < value <= 100:
        return "a percent discount must be above 0 and at most 100"
    if discount_type is DiscountType.FIXED and not value > 0:
        return "a fixed discount must be above 0"
    return None


def _check_window(
    problems: Problems, starts_at: datetime | None, expires_at: datetime | None
) -> None:
    naive = False
    for field, moment in (("starts_at", starts_at), ("expires_at", expires_at)):
        if moment is not None and moment.utcoffset() is None:
            problems.add(field, "must include a time zone")
            naive = True
    if not naive and starts_at is not None and expires_at is not None and expires_at <= starts_at:
        problems.add("expires_at", "must be after starts_at")


def _check_limits(problems: Problems, promo: PromoCode) -> None:
    for field, amount in (
        ("min_order_amount", promo.min_order_amount),
        ("max_discount", promo.max_discount),
    ):
        if amount is not None and amount < 0:
            problems.add(field, "must not be negative")
    counts = [
        (field, count)
        for field, count in (
            ("max_uses", promo.max_uses),
            ("max_uses_per_customer", promo.max_uses_per_customer),
        )
        if count is not None
    ]
    for field, count in counts:
        if count < 1:
            problems.add(field, "must be at least 1")
    for field, count in counts:
        if count > MAX_COUNT:
            problems.add(field, f"must be at most {MAX_COUNT}")
    if promo.max_uses is not None and promo.max_uses < promo.times_used:
        problems.add("max_uses", f"must not be below times_used ({promo.times_used})")
