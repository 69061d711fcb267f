"""The catalog in memory: categories, products and their images.

Deleting a category or a product looks into the areas whose rows refer to it, as the foreign
keys do in PostgreSQL, so those repositories are given the whole store.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, TypeVar
from uuid import UUID

from grocery.core.catalog import Category, Product, ProductImage, as_id
from grocery.core.errors import AlreadyExists, Conflict, Invalid, NotFound
from grocery.core.taxes import TaxClass, TaxRate

if TYPE_CHECKING:  # uow.py imports this module for its tables
    from grocery.adapters.memory.uow import MemoryStore

K = TypeVar("K")
V = TypeVar("V")


@dataclass
class CatalogTables:
    categories: dict[UUID, Category] = field(default_factory=dict)
    products: dict[UUID, Product] = field(default_factory=dict)
    images: dict[UUID, ProductImage] = field(default_factory=dict)
    tax_classes: dict[UUID, TaxClass] = field(default_factory=dict)

    def taxed_by(self, product: Product) -> TaxRate | None:
        """The product's own class, else its category's; None: untaxed."""
        category = self.categories.get(product.category_id)
        class_id = product.tax_class_id or (None if category is None else category.tax_class_id)
        found = None if class_id is None else self.tax_classes.get(class_id)
        return None if found is None else TaxRate(found.name, found.rate)


# --- categories ---------------------------------------------------------------


class MemoryCategoryRepository:
    def __init__(self, store: MemoryStore) -> None:
        self._store = store
        self._tables = store.catalog

    async def add(self, category: Category) -> None:
        self._refuse_clash(category)
        _check_tax_class(self._tables, category.tax_class_id)
        self._tables.categories[category.id] = category

    async def get(self, ref: str) -> Category | None:
        wanted = as_id(ref)
        return next(
            (
                c
                for c in self._tables.categories.values()
                if c.id == wanted or (wanted is None and c.slug == ref.lower())
            ),
            None,
        )

    async def update(self, category: Category) -> None:
        self._refuse_clash(category)
        _check_tax_class(self._tables, category.tax_class_id)
        self._tables.categories[category.id] = category

    async def delete(self, category_id: UUID) -> None:
        # What PostgreSQL's foreign keys refuse: its products (archived too), and promo codes
        # scoped to it (one must not silently become a whole-cart code).
        promos = self._store.promotions.promo_codes.values()
        if any(p.category_id == category_id for p in self._tables.products.values()) or any(
            category_id in promo.category_ids for promo in promos
        ):
            raise Conflict(
                "The category still has products (archived ones count too); move or delete them first.",
                code="category_not_empty",
            )
        self._tables.categories.pop(category_id, None)

    def _refuse_clash(self, category: Category) -> None:
        for other in self._tables.categories.values():
            if other.id == category.id:
                continue
            if other.slug == category.slug:
                raise taken("category", "slug")
            if other.name.lower() == category.name.lower():
                raise taken("category", "name")


def taken(what: str, field: str) -> AlreadyExists:
    return AlreadyExists(
        f"A {what} with this {field} already exists.",
        errors=[{"field": field, "message": "is already taken"}],
    )


# --- products -----------------------------------------------------------------


class MemoryProductRepository:
    def __init__(self, store: MemoryStore) -> None:
        self._store = store
        self._tables = store.catalog

    async def add(self, product: Product) -> None:
        self._check(product)
        self._tables.products[product.id] = product

    async def get(self, product_id: UUID, *, for_update: bool = False) -> Product | None:
        return self._tables.products.get(product_id)

    async def update(self, product: Product) -> None:
        """What a manager edits; sales, archiving and creation are not the edit's to change."""
        self._check(product)
        stored = self._tables.products[product.id]
        self._tables.products[product.id] = replace(
            product,
            units_sold=stored.units_sold,
            archived=stored.archived,
            created_at=stored.created_at,
        )

    async def archive(self, product_id: UUID) -> None:
        products = self._tables.products
        products[product_id] = replace(products[product_id], archived=True)

    async def delete(self, product_id: UUID) -> bool:
        if self._in_an_order(product_id):
            return False  # order lines refer to it: the caller archives it instead
        store = self._store
        store.catalog.products.pop(product_id, None)
        # What goes with it in PostgreSQL (ON DELETE CASCADE).
        _drop_where(store.catalog.images, lambda _, image: image.product_id == product_id)
        _drop_where(store.carts.lines, lambda key, _: key[1] == product_id)
        _drop_where(store.wishlists.items, lambda key, _: key[1] == product_id)
        _drop_where(store.alerts.alerts, lambda _, alert: alert.product_id == product_id)
        return True

    async def was_ever_ordered(self, product_id: UUID) -> bool:
        # Order lines remember it even after a cancellation took its units_sold back.
        product = self._tables.products.get(product_id)
        return product is not None and (product.units_sold > 0 or self._in_an_order(product_id))

    def _in_an_order(self, product_id: UUID) -> bool:
        return any(
            line.product_id == product_id
            for order in self._store.orders.orders.values()
            for line in order.lines
        )

    def _check(self, product: Product) -> None:
        if any(
            p.slug == product.slug and p.id != product.id for p in self._tables.products.values()
        ):
            raise taken("product", "slug")
        if product.category_id not in self._tables.categories:
            raise Invalid(
                "The category does not exist.",
                errors=[{"field": "category_id", "message": "no such category"}],
            )
        _check_tax_class(self._tables, product.tax_class_id)


def _check_tax_class(tables: CatalogTables, tax_class_id: UUID | None) -> None:
    """What the foreign key refuses: a tax class that isn't there."""
    if tax_class_id is not None and tax_class_id not in tables.tax_classes:
        raise Invalid(
            "The tax class does not exist.",
            errors=[{"field": "tax_class_id", "message": "no such tax class"}],
        )


def _drop_where(table: dict[K, V], doomed: Callable[[K, V], bool]) -> None:
    for key in [key for key, row in table.items() if doomed(key, row)]:
        del table[key]


# --- images -------------------------------------------------------------------


class MemoryProductImageRepository:
    def __init__(self, tables: CatalogTables) -> None:
        self._tables = tables

    async def add(self, image: ProductImage) -> None:
        if image.product_id not in self._tables.products:
            raise NotFound("No such product.")
        self._tables.images[image.id] = image

    async def get(self, product_id: UUID, image_id: UUID) -> ProductImage | None:
        image = self._tables.images.get(image_id)
        return image if image is not None and image.product_id == product_id else None

    async def of_product(self, product_id: UUID) -> list[ProductImage]:
        return sorted(
            (i for i in self._tables.images.values() if i.product_id == product_id),
            key=lambda image: image.id,
        )

    async def delete(self, image_id: UUID) -> None:
        self._tables.images.pop(image_id, None)
