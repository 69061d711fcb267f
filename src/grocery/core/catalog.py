"""The catalog: categories, products and their images, units, slugs, and when a stock change
crosses a product's low-stock threshold.

Pure rules only; a manager's forms are in catalog_edits.py, the storefront's queries in
storefront.py, storage and search in adapters, use cases in services/catalog.py.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from uuid import UUID

from grocery.core.weights import SoldBy, Weighing

NAME_MAX_LENGTH = 120
SLUG_MAX_LENGTH = 120
DESCRIPTION_MAX_LENGTH = 5000
# Sane bounds well inside the columns (numeric(12,2), integer): beyond them it is a typo.
MAX_PRICE = Decimal("99999.99")
MAX_QUANTITY = 1_000_000

_NOT_SLUG = re.compile(r"[^a-z0-9]+")


class Unit(StrEnum):
    """How a product is sold."""

    PIECE = "piece"
    KG = "kg"
    G = "g"
    L = "l"
    ML = "ml"
    PACK = "pack"
    BUNCH = "bunch"


# --- things in the catalog ----------------------------------------------------


@dataclass(frozen=True, slots=True)
class Category:
    id: UUID
    name: str
    slug: str
    tax_class_id: UUID | None = None  # its products' tax unless they name their own


@dataclass(frozen=True, slots=True)
class Product:
    id: UUID
    category_id: UUID
    name: str
    slug: str
    description: str
    price: Decimal
    stock: int
    unit: Unit
    low_stock_threshold: int
    created_at: datetime
    units_sold: int = 0
    archived: bool = False
    sold_by: SoldBy = SoldBy.EACH
    step_kg: Decimal | None = None  # one unit of stock and quantity, when sold by weight
    tax_class_id: UUID | None = None  # its own, over its category's

    @property
    def weighing(self) -> Weighing | None:
        return None if self.step_kg is None else Weighing(self.price, self.step_kg)


@dataclass(frozen=True, slots=True)
class ProductImage:
    """A picture stored under `key` in the BlobStore; its row points there."""

    id: UUID
    product_id: UUID
    key: str
    content_type: str
    size: int
    width: int
    height: int


@dataclass(frozen=True, slots=True)
class CategorySummary:
    """A category as the storefront lists it, with how many products it shows."""

    id: UUID
    name: str
    slug: str
    product_count: int
    tax_class_id: UUID | None = None


@dataclass(frozen=True, slots=True)
class ImageKey:
    id: UUID
    key: str


@dataclass(frozen=True, slots=True)
class ProductView:
    """A product as shoppers see it; images carry storage keys, made URLs on the way out."""

    id: UUID
    name: str
    slug: str
    description: str
    category: Category
    price: Decimal
    stock: int
    unit: Unit
    units_sold: int
    low_stock_threshold: int
    images: tuple[ImageKey, ...]
    created_at: datetime
    sold_by: SoldBy = SoldBy.EACH
    step_kg: Decimal | None = None
    tax_class_id: UUID | None = None  # its own; its category's is the category's

    @property
    def in_stock(self) -> bool:
        return self.stock > 0

    @property
    def step_price(self) -> Decimal | None:
        """What one step of a weighed product costs."""
        return None if self.step_kg is None else Weighing(self.price, self.step_kg).step_price

    @classmethod
    def of(
        cls, product: Product, category: Category, images: tuple[ImageKey, ...] = ()
    ) -> ProductView:
        return cls(
            id=product.id,
            name=product.name,
            slug=product.slug,
            description=product.description,
            category=category,
            price=product.price,
            stock=product.stock,
            unit=product.unit,
            units_sold=product.units_sold,
            low_stock_threshold=product.low_stock_threshold,
            images=images,
            created_at=product.created_at,
            sold_by=product.sold_by,
            step_kg=product.step_kg,
            tax_class_id=product.tax_class_id,
        )


class Removal(StrEnum):
    """What deleting a product did: gone, or archived because orders remember it."""

    DELETED = "deleted"
    ARCHIVED = "archived"


# --- slugs and references -----------------------------------------------------


def slugify(text: str) -> str:
    """A URL slug from a name: "Crème Fraîche 30%" -> "creme-fraiche-30"."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    slug = _NOT_SLUG.sub("-", ascii_text.lower()).strip("-")
    return slug[:SLUG_MAX_LENGTH].rstrip("-")


def as_id(ref: str) -> UUID | None:
    """The id an `{id_or_slug}` reference names, or None when it is a slug (or a name)."""
    try:
        return UUID(ref)
    except ValueError:
        return None


# --- stock --------------------------------------------------------------------


class StockCrossing(StrEnum):
    """How a stock change moved a product across its low-stock threshold."""

    FELL_BELOW = "fell_below"  # opens a low-stock alert
    RECOVERED = "recovered"  # resolves it


def crossing(before: int, after: int, threshold: int) -> StockCrossing | None:
    """From at-or-above the threshold to below it, or back; None when no line was crossed."""
    if before >= threshold > after:
        return StockCrossing.FELL_BELOW
    if before < threshold <= after:
        return StockCrossing.RECOVERED
    return None
