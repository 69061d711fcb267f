"""Tax classes: a named rate that categories and products are taxed at, and a line's tax.

A product's own class wins over its category's; with neither it is untaxed. A line is taxed
on its amount after its share of the discount, half up to cents. Prices either exclude tax
(it is added on top) or include it (the part of the amount that is tax is shown).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from uuid import UUID

from grocery.core.catalog import NAME_MAX_LENGTH
from grocery.core.errors import InUse, Problems
from grocery.core.money import ZERO

MAX_RATE = Decimal(100)
RATE_PLACES = 3  # 8.875 % is a real sales tax rate
# Plain digits with at most three decimals: no sign, exponent, spaces, NaN or Infinity.
_RATE_TEXT = re.compile(r"[0-9]{1,3}(\.[0-9]{1,3})?")


@dataclass(frozen=True, slots=True)
class TaxClass:
    id: UUID
    name: str
    rate: Decimal  # a percent, 0..100


@dataclass(frozen=True, slots=True)
class TaxClassDraft:
    name: str
    rate: Decimal


def tax_class_draft(name: str, rate: str) -> TaxClassDraft:
    """A new or edited class's name and rate; Invalid naming every field that is wrong."""
    problems = Problems()
    cleaned = " ".join(name.split())
    if not 1 <= len(cleaned) <= NAME_MAX_LENGTH:
        problems.add("name", f"must be 1 to {NAME_MAX_LENGTH} characters")
    parsed = ZERO
    if not _RATE_TEXT.fullmatch(rate):
        problems.add("rate", f'must be a percent with at most {RATE_PLACES} decimals, e.g. "7.5"')
    elif (parsed := Decimal(rate)) > MAX_RATE:
        problems.add("rate", "must be between 0 and 100")
    problems.raise_if_any("The tax class is not valid.")
    return TaxClassDraft(name=cleaned, rate=parsed)


def rate_text(rate: Decimal) -> str:
    """A rate as the contract writes it: "20", "7.5", "8.875"."""
    return f"{rate.normalize():f}" if rate else "0"


def tax_class_in_use() -> InUse:
    return InUse(
        "Categories or products are still taxed by this class; move them to another first.",
        code="tax_class_in_use",
    )
