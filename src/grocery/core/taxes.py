"""Tax classes: a named rate that categories and products are taxed at, and a line's tax.

A product's own class wins over its category's; with neither it is untaxed. A line is taxed
on its amount after its share of the discount, half up to cents. Prices either exclude tax
(it is added on top) or include it (the part of the amount that is tax is shown).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from uuid import UUID

from grocery.core.catalog import NAME_MAX_LENGTH
from grocery.core.errors import InUse, Problems
from grocery.core.money import ZERO, cents

MAX_RATE = Decimal(100)
RATE_PLACES = 3  # 8.875 % is a real sales tax rate
# Plain digits with at most three decimals: no sign, exponent, spaces, NaN or Infinity.
_RATE_TEXT = re.compile(r"[0-9]{1,3}(\.[0-9]{1,3})?")


@dataclass(frozen=True, slots=True)
class TaxClass:
    id: UUID
    name: str
    rate: Decimal  # a percent, 0..100


@dataclass(frozen=True, order=True, slots=True)
class TaxRate:
    """The class a line is taxed by, as it was when priced: checkout keeps it on the order
    line, so a later change of the class never changes a placed order."""

    tax_class: str
    rate: Decimal


@dataclass(frozen=True, slots=True)
class ClassTax:
    """One class's part of an order's tax."""

    tax_class: str
    rate: Decimal
    amount: Decimal


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


def line_tax(amount: Decimal, rate: Decimal, *, included: bool) -> Decimal:
    """The tax on a line's `amount` (after its discount share), half up to cents: on top
    of it at `rate` percent, or, when prices include tax, the part of it that is tax."""
    if included:
        return cents(amount * rate / (MAX_RATE + rate))
    return cents(amount * rate / MAX_RATE)


def class_tax(amount: Decimal, taxed_by: TaxRate | None, *, included: bool) -> Decimal:
    """line_tax at the class's rate; nothing on an untaxed amount."""
    return ZERO if taxed_by is None else line_tax(amount, taxed_by.rate, included=included)


def taxes_by_class(lines: Iterable[tuple[TaxRate | None, Decimal]]) -> tuple[ClassTax, ...]:
    """Lines' taxes summed per class and rate, by class name; untaxed lines left out."""
    summed: dict[TaxRate, Decimal] = {}
    for taxed_by, tax in lines:
        if taxed_by is not None:
            summed[taxed_by] = summed.get(taxed_by, ZERO) + tax
    return tuple(ClassTax(by.tax_class, by.rate, summed[by]) for by in sorted(summed))
