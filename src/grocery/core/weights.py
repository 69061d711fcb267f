"""Weighed products: sold by the kg in steps of a set weight, billed by what the scale says.

A weighed product's `quantity` and `stock` count steps (one step of 0.250 kg of apples is
one unit); a step costs its weight at the price per kg, half up to cents. Until a line is
picked its amount is an estimate; once weighed it costs the weight at the price per kg,
never more than the estimate plus the shop's weight tolerance.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

from grocery.core.edits import Keep
from grocery.core.errors import Problems, invalid
from grocery.core.money import cents

# Grams are the finest a shop scale reads; a step heavier than a sack is a typo.
KG_PLACES = 3
MAX_STEP_KG = Decimal("100.000")
# A weight over this many times the estimate is a slip of the finger, not a heavy cabbage.
ABSURD_WEIGHT_FACTOR = 100
DEFAULT_WEIGHT_TOLERANCE_PERCENT = Decimal(10)
MAX_WEIGHT_TOLERANCE_PERCENT = Decimal(100)

_KG_TEXT = re.compile(r"[0-9]+(\.[0-9]{1,3})?")


class SoldBy(StrEnum):
    EACH = "each"
    WEIGHT = "weight"


@dataclass(frozen=True, slots=True)
class Weighing:
    """How a weighed product is sold: its price per kg and the weight of one step."""

    price_per_kg: Decimal
    step_kg: Decimal

    @property
    def step_price(self) -> Decimal:
        return step_price(self.price_per_kg, self.step_kg)

    def weight_of(self, steps: int) -> Decimal:
        """The estimated weight of `steps` steps."""
        return self.step_kg * steps

    def cost(self, weight_kg: Decimal, estimate: Decimal, tolerance_percent: Decimal) -> Decimal:
        """What goods estimated at `estimate` cost once they weigh `weight_kg`: the weight at
        the price per kg, never more than the estimate with the tolerance on top."""
        weighed = cents(weight_kg * self.price_per_kg)
        return min(weighed, with_tolerance(estimate, tolerance_percent))

    def check_weight(self, weight_kg: Decimal, steps: int, *, field: str) -> None:
        """Invalid for a weight of zero or over ABSURD_WEIGHT_FACTOR times the estimate."""
        if weight_kg <= 0:
            raise invalid(field, "must be above 0")
        if weight_kg > self.weight_of(steps) * ABSURD_WEIGHT_FACTOR:
            limit = self.weight_of(steps) * ABSURD_WEIGHT_FACTOR
            raise invalid(field, f"must be at most {limit} kg for {steps} of {self.step_kg} kg")


def price_of_one(price: Decimal, weighing: Weighing | None) -> Decimal:
    """What one unit of quantity costs: a piece at its price, or a step of a weighed product."""
    return price if weighing is None else weighing.step_price


def step_price(price_per_kg: Decimal, step_kg: Decimal) -> Decimal:
    """What one step costs: its weight at the price per kg, half up to cents."""
    return cents(price_per_kg * step_kg)


def with_tolerance(estimate: Decimal, tolerance_percent: Decimal) -> Decimal:
    """The most a weighed amount estimated at `estimate` may come to."""
    return cents(estimate * (100 + tolerance_percent) / 100)


def tolerance_allowance(estimate: Decimal, tolerance_percent: Decimal) -> Decimal:
    """How far above its estimate a weighed amount may come."""
    return with_tolerance(estimate, tolerance_percent) - estimate


def parse_kg(value: str | Decimal, *, field: str) -> Decimal:
    """A weight as a client sends it ("0.250"): plain digits, at most three decimals (grams).

    Strict like money: "0.2505" is refused rather than rounded.
    """
    if isinstance(value, str):
        if not _KG_TEXT.fullmatch(value):
            raise invalid(field, "must be a weight in kg with at most three decimal places")
        value = Decimal(value)
    exponent = value.as_tuple().exponent
    if not value.is_finite() or not isinstance(exponent, int) or exponent < -KG_PLACES:
        raise invalid(field, "must be a weight in kg with at most three decimal places")
    if value < 0:
        raise invalid(field, "must not be negative")
    return value.quantize(Decimal(1).scaleb(-KG_PLACES))


def check_tolerance(percent: Decimal) -> Decimal:
    """The weight tolerance setting: a percent from 0 to 100."""
    if not percent.is_finite() or not 0 <= percent <= MAX_WEIGHT_TOLERANCE_PERCENT:
        raise ValueError(f"must be a percent from 0 to {MAX_WEIGHT_TOLERANCE_PERCENT}")
    return percent


@dataclass(frozen=True, slots=True)
class Selling:
    """How a product is sold, checked: by the piece, or by weight in steps of `step_kg`."""

    sold_by: SoldBy
    step_kg: Decimal | None


def selling(
    problems: Problems, sold_by: str, step_kg: str | Decimal | None, unit: str | Keep
) -> Selling:
    """A product's way of being sold from a manager's form, its problems noted.

    A weighed product needs a step of 0 < step_kg <= MAX_STEP_KG and the unit `kg` (which it
    gets when no other unit is sent); one sold by the piece has no step.
    """
    try:
        how = SoldBy(sold_by)
    except ValueError:
        problems.add("sold_by", "must be one of each, weight")
        return Selling(SoldBy.EACH, None)
    if how is SoldBy.EACH:
        if step_kg is not None:
            problems.add("step_kg", "is only for products sold by weight")
        return Selling(how, None)
    if not isinstance(unit, Keep) and unit != "kg":
        problems.add("unit", "must be kg for a product sold by weight")
    return Selling(how, _step(problems, step_kg))


def _step(problems: Problems, step_kg: str | Decimal | None) -> Decimal | None:
    if step_kg is None:
        problems.add("step_kg", "is required for a product sold by weight")
        return None
    step = problems.read(lambda: parse_kg(step_kg, field="step_kg"), None)
    if step is not None and not 0 < step <= MAX_STEP_KG:
        problems.add("step_kg", f"must be above 0 and at most {MAX_STEP_KG}")
        return None
    return step
