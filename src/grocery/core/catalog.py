"""The catalog's rules: categories, products, units, slugs, browsing and stock thresholds.

Pure rules only; storage and search live in adapters, use cases in services/catalog.py.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, replace
from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from uuid import UUID

from grocery.core.edits import KEEP, Keep, changed, kept, left_out
from grocery.core.errors import Problems
from grocery.core.money import ZERO, parse_money
from grocery.core.weights import Selling, SoldBy, Weighing, selling

NAME_MAX_LENGTH = 120
SLUG_MAX_LENGTH = 120
DESCRIPTION_MAX_LENGTH = 5000
SEARCH_MAX_LENGTH = 200
# Sane bounds well inside the columns (numeric(12,2), integer): beyond them it is a typo.
MAX_PRICE = Decimal("99999.99")
MAX_QUANTITY = 1_000_000
DEFAULT_PAGE_SIZE = 20
MAX_PAGE_SIZE = 100

_SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
_NOT_SLUG = re.compile(r"[^a-z0-9]+")
_WORD = re.compile(r"[^\W_]+")


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


# --- a manager's forms ----------------------------------------------------------


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
    )


def _edited_selling(problems: Problems, product: Product, edit: ProductEdit) -> Selling:
    """How the edited product is sold: a switch to the piece drops the step; a weighed one
    keeps its step unless a new one is sent."""
    sold_by = kept(edit.sold_by, product.sold_by)
    step_kg = kept(edit.step_kg, product.step_kg if sold_by == SoldBy.WEIGHT else None)
    return selling(problems, sold_by, step_kg, edit.unit)


def _default_unit(sold_by: SoldBy) -> Unit:
    return Unit.KG if sold_by is SoldBy.WEIGHT else Unit.PIECE


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


# --- browsing -----------------------------------------------------------------


class Sort(StrEnum):
    POPULAR = "popular"  # most sold first
    LEAST_POPULAR = "-popular"
    PRICE = "price"
    PRICE_DESC = "-price"
    NEWEST = "newest"
    NAME = "name"
    RELEVANCE = "relevance"  # a search's own order, when no other is asked


PUBLIC_SORTS = tuple(sort for sort in Sort if sort is not Sort.RELEVANCE)


@dataclass(frozen=True, slots=True)
class ProductQuery:
    """One page of the storefront: filters, an order and where the last page ended."""

    sort: Sort = Sort.POPULAR
    limit: int = DEFAULT_PAGE_SIZE
    category: str | None = None  # slug, name or id, any case
    search: str | None = None  # the shopper's words
    min_price: Decimal | None = None
    max_price: Decimal | None = None
    in_stock: bool | None = None
    cursor: str | None = None

    @property
    def search_words(self) -> tuple[str, ...]:
        return tuple(_WORD.findall(self.search or ""))


@dataclass(frozen=True, slots=True)
class ProductPage:
    items: list[ProductView]
    next_cursor: str | None


def product_query(
    *,
    sort: str | None = None,
    limit: int = DEFAULT_PAGE_SIZE,
    category: str | None = None,
    q: str | None = None,
    min_price: str | None = None,
    max_price: str | None = None,
    in_stock: bool | None = None,
    cursor: str | None = None,
) -> ProductQuery:
    """A shopper's query string made into a ProductQuery, or Invalid naming each bad parameter.

    A search without a sort comes back by relevance. Words are letters and digits: a `q`
    with none (only punctuation) searches for nothing, so it filters nothing.
    """
    problems = Problems()
    search = " ".join((q or "").split())[:SEARCH_MAX_LENGTH] or None
    if search is not None and not _WORD.search(search):
        search = None
    low = _price_filter(problems, "min_price", min_price)
    high = _price_filter(problems, "max_price", max_price)
    if low is not None and high is not None and low > high:
        problems.add("max_price", "must not be below min_price")
    if not 1 <= limit <= MAX_PAGE_SIZE:
        problems.add("limit", f"must be between 1 and {MAX_PAGE_SIZE}")
    chosen = _sort(problems, sort, searching=search is not None)
    problems.raise_if_any("The query is not valid.")
    return ProductQuery(
        sort=chosen,
        limit=limit,
        category=(category or "").strip() or None,
        search=search,
        min_price=low,
        max_price=high,
        in_stock=in_stock,
        cursor=cursor or None,
    )


def _sort(problems: Problems, raw: str | None, *, searching: bool) -> Sort:
    if raw is None or raw == "":
        return Sort.RELEVANCE if searching else Sort.POPULAR
    if raw in PUBLIC_SORTS:
        return Sort(raw)
    problems.add("sort", f"must be one of {', '.join(PUBLIC_SORTS)}")
    return Sort.POPULAR


def _price_filter(problems: Problems, field: str, raw: str | None) -> Decimal | None:
    if raw is None or raw == "":
        return None
    value = problems.read(lambda: parse_money(raw, field=field), None)
    # No price exceeds MAX_PRICE, so a larger bound means the same and keeps the query small.
    return None if value is None else min(value, MAX_PRICE)
