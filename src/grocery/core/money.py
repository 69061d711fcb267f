"""Money: Decimal amounts quantized to cents, rounded half up. Never float."""

from __future__ import annotations

import re
from collections.abc import Sequence
from decimal import ROUND_HALF_UP, Decimal

from grocery.core.errors import invalid

CENT = Decimal("0.01")
ZERO = Decimal("0.00")

# Plain digits with at most two decimals: no exponent, sign, spaces, NaN or Infinity.
_MONEY_TEXT = re.compile(r"-?[0-9]+(\.[0-9]{1,2})?")


def cents(amount: Decimal | int) -> Decimal:
    """The amount rounded half up to whole cents."""
    return Decimal(amount).quantize(CENT, rounding=ROUND_HALF_UP)


def parse_money(
    value: str | Decimal,
    *,
    field: str,
    allow_negative: bool = False,
    at_most: Decimal | None = None,
) -> Decimal:
    """A client's amount, refused (Invalid naming `field`) unless it is an exact cent figure,
    and `at_most` when one is given.

    Strict on purpose: "12.505" is an error rather than a silent rounding of what was typed.
    """
    if isinstance(value, str):
        if not _MONEY_TEXT.fullmatch(value):
            raise invalid(field, "must be a decimal amount with at most two decimal places")
        if value.startswith("-") and not allow_negative:  # "-0" too: a sign is not money
            raise invalid(field, "must not be negative")
        value = Decimal(value)
    if not value.is_finite():
        raise invalid(field, "must be a finite amount")
    exponent = value.as_tuple().exponent
    if isinstance(exponent, int) and exponent < -2:
        raise invalid(field, "must have at most two decimal places")
    if value < 0 and not allow_negative:
        raise invalid(field, "must not be negative")
    if at_most is not None and value > at_most:
        raise invalid(field, f"must be at most {at_most}")
    return cents(value)


def format_money(amount: Decimal) -> str:
    """The contract's money string, e.g. "12.50" (never "-0.00")."""
    rounded = cents(amount)
    return f"{rounded.copy_abs() if rounded.is_zero() else rounded:f}"


def spread(total_discount: Decimal, weights: Sequence[Decimal]) -> list[Decimal]:
    """Split an order discount over lines in proportion to their amounts (`weights`).

    Each share is rounded half up to cents and the rounding remainder lands on the
    last line, so the shares add up to the discount exactly. No share is negative or
    larger than its line, so no line total drops below zero. All amounts are in cents
    and the discount can't exceed the lines' sum; anything else is a caller's bug.
    """
    whole = sum(weights, ZERO)
    if any(a < 0 or a != cents(a) for a in (total_discount, *weights)):
        raise ValueError("spread takes non-negative amounts in whole cents")
    if total_discount > whole:
        raise ValueError(f"discount {total_discount} exceeds the lines' sum {whole}")
    if not weights:
        return []
    if whole.is_zero():
        return [ZERO for _ in weights]
    shares = [cents(total_discount * w / whole) for w in weights[:-1]]
    shares.append(total_discount - sum(shares, ZERO))
    return _fit_within_lines(shares, weights)


def _fit_within_lines(shares: list[Decimal], weights: Sequence[Decimal]) -> list[Decimal]:
    """Bring the last share back within 0..its line, moving the overshoot to earlier lines.

    Rounding many earlier shares the same way can push the remainder past its own line
    (e.g. five lines of 17.00 rounding down from 16.9949 leave 15.02 for a 15.00 line)
    or below zero. The total still fits in the lines, so earlier lines, latest first,
    have room to absorb it.
    """
    last = len(shares) - 1
    overshoot = shares[last] - min(max(shares[last], ZERO), weights[last])
    shares[last] -= overshoot
    for i in reversed(range(last)):
        if overshoot.is_zero():
            break
        if overshoot > 0:
            moved = min(overshoot, weights[i] - shares[i])
        else:
            moved = max(overshoot, -shares[i])
        shares[i] += moved
        overshoot -= moved
    return shares
