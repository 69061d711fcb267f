"""A manager's edits to the catalog: a category's name and slug, a product's form.

Every field's problem is gathered, so a manager sees them all in one answer; a field an
edit leaves out is KEEP.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import datetime
from decimal import Decimal
from uuid import UUID

from grocery.core.catalog import (
    DESCRIPTION_MAX_LENGTH,
    MAX_PRICE,
    MAX_QUANTITY,
    NAME_MAX_LENGTH,
    SLUG_MAX_LENGTH,
    Product,
    Unit,
    as_id,
    slugify,
)
from grocery.core.edits import KEEP, Keep, changed, kept, left_out
from grocery.core.errors import Problems
from grocery.core.money import ZERO, parse_money
from grocery.core.weights import Selling, SoldBy, selling

_SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")


def _name(problems: Problems, name: str) -> str:
    cleaned = " ".join(name.split())
    if not 1 <= len(cleaned) <= NAME_MAX_LENGTH:
        problems.add("name", f"must be 1 to {NAME_MAX_LENGTH} characters")
    return cleaned


def _slug(problems: Problems, slug: str | Keep, name: str) -> str:
    """The slug sent, or one derived from the name."""
    if isinstance(slug, Keep):
        slug = slugify(name)
        if not slug:
            problems.add("slug", "can't be derived from the name; give one")
            return slug
    if not 1 <= len(slug) <= SLUG_MAX_LENGTH:
        problems.add("slug", f"must be 1 to {SLUG_MAX_LENGTH} characters")
    elif not _SLUG.fullmatch(slug):
        problems.add("slug", "may contain only lowercase letters, digits and single hyphens")
    elif as_id(slug) is not None:  # `{id_or_slug}` paths must tell the two apart
        problems.add("slug", "must not look like an id")
    return slug


def _description(problems: Problems, description: str) -> str:
    if len(description) > DESCRIPTION_MAX_LENGTH:
        problems.add("description", f"must be at most {DESCRIPTION_MAX_LENGTH} characters")
    return description.strip()


def _price(problems: Problems, value: str | Decimal) -> Decimal:
    return problems.read(lambda: parse_money(value, field="price", at_most=MAX_PRICE), ZERO)


def _quantity(problems: Problems, field: str, value: int) -> int:
    if not 0 <= value <= MAX_QUANTITY:
        problems.add(field, f"must be between 0 and {MAX_QUANTITY}")
    return value


def _unit(problems: Problems, value: str) -> Unit:
    try:
        return Unit(value)
    except ValueError:
        problems.add("unit", f"must be one of {', '.join(Unit)}")
        return Unit.PIECE


@dataclass(frozen=True, slots=True)
class CategoryDraft:
    name: str
    slug: str


def category_draft(name: str, slug: str | Keep = KEEP) -> CategoryDraft:
    """A new or renamed category's name and slug (derived from the name when not sent)."""
    problems = Problems()
    name = _name(problems, name)
    slug = _slug(problems, slug, name)
    problems.raise_if_any("The category is not valid.")
    return CategoryDraft(name=name, slug=slug)


@dataclass(frozen=True, kw_only=True, slots=True)
class ProductEdit:
    """A manager's form for a product, as sent: a new one's fields, or the changes to one."""

    name: str | Keep = KEEP
    slug: str | Keep = KEEP
    description: str | Keep = KEEP
    category_id: UUID | Keep = KEEP
    price: str | Decimal | Keep = KEEP
    stock: int | Keep = KEEP
    unit: str | Keep = KEEP
    low_stock_threshold: int | Keep = KEEP
    sold_by: str | Keep = KEEP
    step_kg: str | Decimal | Keep | None = KEEP  # None: no step (a product sold by the piece)
    tax_class_id: UUID | Keep | None = KEEP  # None: taxed as its category is


_REQUIRED = ("name", "category_id", "price", "stock")


def new_product(
    edit: ProductEdit, *, id: UUID, created_at: datetime, default_threshold: int
) -> Product:
    """A product from a manager's form: name, category, price and stock are required."""
    name, category_id, price, stock = edit.name, edit.category_id, edit.price, edit.stock
    if (
        isinstance(name, Keep)
        or isinstance(category_id, Keep)
        or isinstance(price, Keep)
        or isinstance(stock, Keep)
    ):
        raise left_out(edit, _REQUIRED).refusal("The product is not valid.")
    problems = Problems()
    name = _name(problems, name)
    sold = selling(problems, kept(edit.sold_by, SoldBy.EACH), kept(edit.step_kg, None), edit.unit)
    product = Product(
        id=id,
        category_id=category_id,
        name=name,
        slug=_slug(problems, edit.slug, name),
        description=_description(problems, kept(edit.description, "")),
        price=_price(problems, price),
        stock=_quantity(problems, "stock", stock),
        unit=_unit(problems, kept(edit.unit, _default_unit(sold.sold_by))),
        low_stock_threshold=_quantity(
            problems, "low_stock_threshold", kept(edit.low_stock_threshold, default_threshold)
        ),
        created_at=created_at,
        sold_by=sold.sold_by,
        step_kg=sold.step_kg,
        tax_class_id=kept(edit.tax_class_id, None),
    )
    problems.raise_if_any("The product is not valid.")
    return product


def edited_product(product: Product, edit: ProductEdit) -> Product:
    """The product with the manager's changes. A rename keeps the slug, so links keep working."""
    problems = Problems()
    name = changed(edit.name, product.name, lambda sent: _name(problems, sent))
    slug = changed(edit.slug, product.slug, lambda sent: _slug(problems, sent, name))
    description = changed(
        edit.description, product.description, lambda sent: _description(problems, sent)
    )
    price = product.price if isinstance(edit.price, Keep) else _price(problems, edit.price)
    stock = changed(edit.stock, product.stock, lambda sent: _quantity(problems, "stock", sent))
    sold = _edited_selling(problems, product, edit)
    unit = changed(edit.unit, product.unit, lambda sent: _unit(problems, sent))
    if isinstance(edit.unit, Keep) and sold.sold_by is SoldBy.WEIGHT:
        unit = Unit.KG
    threshold = changed(
        edit.low_stock_threshold,
        product.low_stock_threshold,
        lambda sent: _quantity(problems, "low_stock_threshold", sent),
    )
    problems.raise_if_any("The product is not valid.")
    return replace(
        product,
        name=name,
        slug=slug,
        description=description,
        category_id=kept(edit.category_id, product.category_id),
        price=price,
        stock=stock,
        unit=unit,
        low_stock_threshold=threshold,
        sold_by=sold.sold_by,
        step_kg=sold.step_kg,
        tax_class_id=kept(edit.tax_class_id, product.tax_class_id),
    )


def _edited_selling(problems: Problems, product: Product, edit: ProductEdit) -> Selling:
    """How the edited product is sold: a switch to the piece drops the step; a weighed one
    keeps its step unless a new one is sent."""
    sold_by = kept(edit.sold_by, product.sold_by)
    step_kg = kept(edit.step_kg, product.step_kg if sold_by == SoldBy.WEIGHT else None)
    return selling(problems, sold_by, step_kg, edit.unit)


def _default_unit(sold_by: SoldBy) -> Unit:
    return Unit.KG if sold_by is SoldBy.WEIGHT else Unit.PIECE
