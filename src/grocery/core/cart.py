"""The cart's and the wishlist's rules: what a line may hold and how lines meet the shelf.

A cart line keeps only a product and a quantity; names and prices are read from the
shelf each time it is priced, so the cart shows today's prices until checkout.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from decimal import Decimal
from uuid import UUID

from grocery.core.errors import (
    DomainError,
    ErrorDetail,
    InsufficientStock,
    Invalid,
    NotFound,
    field_error,
    invalid,
)
from grocery.core.pricing import CartLine
from grocery.core.substitutions import NO_PREFERENCE, SubstitutionChoice
from grocery.core.taxes import TaxRate
from grocery.core.weights import Weighing, price_of_one

MAX_LINE_QUANTITY = 999


@dataclass(frozen=True, kw_only=True, slots=True)
class CartEntry:
    """One line as the cart stores it."""

    product_id: UUID
    quantity: int
    choice: SubstitutionChoice = NO_PREFERENCE


@dataclass(frozen=True, kw_only=True, slots=True)
class TakenCart:
    """A cart as checkout takes it out: its lines and the promo code applied to it."""

    entries: list[CartEntry]
    promo_id: UUID | None


@dataclass(frozen=True, kw_only=True, slots=True)
class AddedLine:
    quantity: int
    created: bool  # False when an existing line grew


@dataclass(frozen=True, kw_only=True, slots=True)
class ShelfItem:
    """A product as the cart and the wishlist see it; archived ones are not `available`."""

    product_id: UUID
    name: str
    slug: str
    unit_price: Decimal  # the product's price: per piece, or per kg when sold by weight
    stock: int
    category_id: UUID
    available: bool
    step_kg: Decimal | None = None
    taxed_by: TaxRate | None = None  # its own class, else its category's

    @property
    def weighing(self) -> Weighing | None:
        return None if self.step_kg is None else Weighing(self.unit_price, self.step_kg)

    @property
    def price_of_one(self) -> Decimal:
        """What one unit of quantity costs: a piece, or a step of a weighed product."""
        return price_of_one(self.unit_price, self.weighing)

    @property
    def on_shelf(self) -> int:
        """How many a shopper can have now: none of an archived product."""
        return self.stock if self.available else 0

    @property
    def room(self) -> int:
        """How many one cart line may hold now."""
        return min(self.on_shelf, MAX_LINE_QUANTITY)


@dataclass(frozen=True, kw_only=True, slots=True)
class CartContents:
    """A cart as one read gives it: its lines, oldest first, their products, and the promo
    code applied to it."""

    entries: list[CartEntry]
    shelf: dict[UUID, ShelfItem]
    promo_id: UUID | None

    @property
    def lines(self) -> list[CartLine]:
        return cart_lines(self.entries, self.shelf)

    def quantity_of(self, product_id: UUID) -> int:
        return sum(entry.quantity for entry in self.entries if entry.product_id == product_id)

    def with_line(
        self, product_id: UUID, quantity: int, choice: SubstitutionChoice | None = None
    ) -> CartContents:
        """The cart with the product's line at `quantity` (a new line goes last); at 0,
        without it. The line keeps its substitution choice unless another is given."""
        kept = next((e.choice for e in self.entries if e.product_id == product_id), None)
        line = CartEntry(
            product_id=product_id, quantity=quantity, choice=choice or kept or NO_PREFERENCE
        )
        entries = [line if entry.product_id == product_id else entry for entry in self.entries]
        if line not in entries:
            entries.append(line)
        return replace(self, entries=[entry for entry in entries if entry.quantity])


@dataclass(frozen=True, kw_only=True, slots=True)
class WishedProduct:
    """A wishlist row with its product's summary."""

    product_id: UUID
    name: str
    slug: str
    price: Decimal
    stock: int
    available: bool
    image_key: str | None  # the product's first image, if it has one
    added_at: datetime

    @property
    def in_stock(self) -> bool:
        return self.available and self.stock > 0


WishlistMark = tuple[datetime, UUID]
"""Where a wishlist page ended: the last row's (added_at, product_id)."""


def check_quantity(quantity: int, *, allow_zero: bool = False) -> None:
    """Invalid unless a line may be set to `quantity` (0 only where it removes the line)."""
    lowest = 0 if allow_zero else 1
    if not lowest <= quantity <= MAX_LINE_QUANTITY:
        message = f"must be between {lowest} and {MAX_LINE_QUANTITY}"
        raise invalid("quantity", message)


def for_sale(item: ShelfItem | None) -> ShelfItem:
    """The item, or NotFound when it is unknown or archived (shoppers can't see it)."""
    if item is None or not item.available:
        raise NotFound("There is no such product.")
    return item


def too_many(item: ShelfItem, requested: int) -> DomainError:
    """Why a line can't hold `requested`: the line limit, else the stock."""
    if requested > MAX_LINE_QUANTITY:
        message = f"a cart line holds at most {MAX_LINE_QUANTITY}"
        return Invalid(
            f"{item.name}: {message}.",
            errors=[field_error("quantity", message, product_id=str(item.product_id))],
        )
    message = f"only {item.on_shelf} in stock"
    return InsufficientStock(
        f"{item.name}: {message}.",
        errors=[short_of_stock("quantity", message, item.product_id, requested, item.on_shelf)],
    )


def short_of_stock(
    field: str, message: str, product_id: UUID, requested: int, available: int
) -> ErrorDetail:
    """One product short of stock, as an InsufficientStock names it."""
    return field_error(
        field, message, product_id=str(product_id), requested=requested, available=available
    )


def cart_lines(entries: Sequence[CartEntry], shelf: Mapping[UUID, ShelfItem]) -> list[CartLine]:
    """Lines to price. One is unavailable when its product is archived or short of stock.

    An entry whose product was deleted meanwhile (its row cascades away) is left out.
    """
    return [
        _cart_line(entry, item)
        for entry in entries
        if (item := shelf.get(entry.product_id)) is not None
    ]


def _cart_line(entry: CartEntry, item: ShelfItem) -> CartLine:
    """A weighed product's line is priced per step: its amount is the estimate."""
    return CartLine(
        product_id=entry.product_id,
        name=item.name,
        category_id=item.category_id,
        unit_price=item.price_of_one,
        quantity=entry.quantity,
        available=entry.quantity <= item.on_shelf,
        weighing=item.weighing,
        choice=entry.choice,
        taxed_by=item.taxed_by,
    )
