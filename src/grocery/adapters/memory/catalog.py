"""The catalog in memory: categories, products and their images."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from uuid import UUID

from grocery.core.catalog import Category, Product, ProductImage, as_id
from grocery.core.errors import AlreadyExists, Conflict, Invalid, NotFound


@dataclass
class CatalogTables:
    categories: dict[UUID, Category] = field(default_factory=dict)
    products: dict[UUID, Product] = field(default_factory=dict)
    images: dict[UUID, ProductImage] = field(default_factory=dict)


# --- categories ---------------------------------------------------------------


class MemoryCategoryRepository:
    def __init__(self, tables: CatalogTables) -> None:
        self._tables = tables

    async def add(self, category: Category) -> None:
        self._refuse_clash(category)
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
        self._tables.categories[category.id] = category

    async def delete(self, category_id: UUID) -> None:
        if any(p.category_id == category_id for p in self._tables.products.values()):
            raise Conflict("The category still has products.", code="category_not_empty")
        self._tables.categories.pop(category_id, None)

    def _refuse_clash(self, category: Category) -> None:
        for other in self._tables.categories.values():
            if other.id == category.id:
                continue
            if other.slug == category.slug:
                raise AlreadyExists("A category with this slug already exists.")
            if other.name.lower() == category.name.lower():
                raise AlreadyExists("A category with this name already exists.")


# --- products -----------------------------------------------------------------


class MemoryProductRepository:
    def __init__(self, tables: CatalogTables) -> None:
        self._tables = tables

    async def add(self, product: Product) -> None:
        self._check(product)
        self._tables.products[product.id] = product

    async def get(self, product_id: UUID, *, for_update: bool = False) -> Product | None:
        return self._tables.products.get(product_id)

    async def update(self, product: Product) -> None:
        self._check(product)
        self._tables.products[product.id] = product

    async def archive(self, product_id: UUID) -> None:
        products = self._tables.products
        products[product_id] = replace(products[product_id], archived=True)

    async def delete(self, product_id: UUID) -> bool:
        self._tables.products.pop(product_id, None)
        for image in [i for i in self._tables.images.values() if i.product_id == product_id]:
            del self._tables.images[image.id]
        return True

    async def was_ever_ordered(self, product_id: UUID) -> bool:
        product = self._tables.products.get(product_id)
        return product is not None and product.units_sold > 0

    def _check(self, product: Product) -> None:
        if any(
            p.slug == product.slug and p.id != product.id for p in self._tables.products.values()
        ):
            raise AlreadyExists("A product with this slug already exists.")
        if product.category_id not in self._tables.categories:
            raise Invalid("The category does not exist.")


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
