"""Categories, products, their images, and the storefront's reads."""

from __future__ import annotations

from collections.abc import Collection
from typing import Protocol
from uuid import UUID

from grocery.core.catalog import Category, CategorySummary, Product, ProductImage, ProductView
from grocery.core.ports.alerts import StockWatch
from grocery.core.ports.stock import StockRoom
from grocery.core.ports.transaction import Transaction
from grocery.core.storefront import ProductPage, ProductQuery


class CategoryRepository(Protocol):
    async def add(self, category: Category) -> None:
        """AlreadyExists when the slug or name is taken (checked by the store itself)."""
        ...

    async def get(self, ref: str) -> Category | None:
        """By id or slug."""
        ...

    async def update(self, category: Category) -> None:
        """AlreadyExists when the new slug or name is taken."""
        ...

    async def delete(self, category_id: UUID) -> None:
        """Conflict `category_not_empty` while any product (archived too) is in it."""
        ...


class ProductRepository(Protocol):
    async def add(self, product: Product) -> None:
        """AlreadyExists when the slug is taken (checked by the store itself)."""
        ...

    async def get(self, product_id: UUID, *, for_update: bool = False) -> Product | None:
        """Archived ones too; `for_update` locks the row until the transaction ends."""
        ...

    async def update(self, product: Product) -> None:
        """Saves what a manager may edit; AlreadyExists when the new slug is taken."""
        ...

    async def archive(self, product_id: UUID) -> None: ...

    async def delete(self, product_id: UUID) -> bool:
        """Its image rows go with it. False, and nothing deleted, while other records
        (order lines) still refer to it."""
        ...

    async def was_ever_ordered(self, product_id: UUID) -> bool:
        """True once any order mentions it (such products are archived, never deleted)."""
        ...


class ProductImageRepository(Protocol):
    async def add(self, image: ProductImage) -> None:
        """NotFound when the product is gone."""
        ...

    async def get(self, product_id: UUID, image_id: UUID) -> ProductImage | None: ...

    async def of_product(self, product_id: UUID) -> list[ProductImage]:
        """Oldest first."""
        ...

    async def delete(self, image_id: UUID) -> None: ...


class CatalogWork(Transaction, StockWatch, Protocol):
    """What the manager's catalog use cases work with; a stock edit keeps alerts in step."""

    categories: CategoryRepository
    products: ProductRepository
    product_images: ProductImageRepository


class StockWork(Transaction, StockWatch, Protocol):
    """What a manager's receipts and adjustments work with: they move stock, write their
    movement and keep alerts in step."""

    products: ProductRepository
    stock: StockRoom


class CatalogReader(Protocol):
    """The storefront's hot reads, outside any unit of work."""

    async def categories(self) -> list[CategorySummary]:
        """All of them, by name."""
        ...

    async def category(self, ref: str) -> CategorySummary | None:
        """By id or slug."""
        ...

    async def product(self, ref: str) -> ProductView | None:
        """By id or slug, with every image; None for an archived one."""
        ...

    async def products_by_id(self, ids: Collection[UUID]) -> list[ProductView]:
        """Those of `ids` still sold, each with every image, by id; in one read."""
        ...

    async def products(self, query: ProductQuery) -> ProductPage:
        """One keyset page with each product's first image. Invalid for a cursor it didn't make."""
        ...


class CatalogStamps(Protocol):
    """Marks of the catalog's state, so a kept storefront page is served only while
    nothing it shows has changed."""

    async def stamp(self) -> str:
        """A mark of the catalog as of now, taken before a page's rows are read."""
        ...

    async def unchanged_since(self, stamp: str) -> bool:
        """True when nothing a page shows changed after `stamp`, as of now."""
        ...

    def sees(self, stamp: str, change: str) -> bool:
        """True when the catalog as of `stamp` holds `change` (a change heard from the feed)."""
        ...


class CatalogWatcher(Protocol):
    """Told by the catalog's change feed what commits, wherever it was written, so a kept
    page may be served with no check while the feed is heard."""

    @property
    def commits_here(self) -> int:
        """How many transactions this process has committed so far."""
        ...

    def committed_here(self) -> None:
        """This process committed a transaction (its change, if any, is heard soon after)."""
        ...

    def listening(self, caught_up: int) -> None:
        """The feed is heard from now on, and every change of this process's first
        `caught_up` commits with it; what was kept before is unvouched for."""
        ...

    def caught_up(self, commits: int) -> None:
        """Every change of this process's first `commits` commits has been heard."""
        ...

    def heard(self, change: str) -> None:
        """A change committed (the feed's mark of it, for `CatalogStamps.sees`)."""
        ...

    def deaf(self) -> None:
        """The feed is lost: nothing is heard until `listening` again."""
        ...
