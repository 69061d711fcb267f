"""The catalog's answers as the contract shapes them; money leaves as "12.50" strings.

Image keys become URLs here (public base + key, or presigned) through the BlobStore.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from uuid import UUID

import msgspec

from grocery.core.catalog import CategorySummary, ImageKey, ProductImage, ProductView, Unit
from grocery.core.money import format_money
from grocery.core.ports.blobs import BlobStore
from grocery.core.services.catalog import CatalogService
from grocery.core.storefront import ProductPage
from grocery.core.weights import SoldBy
from grocery.entrypoints.http.storefront_cache import StorefrontCache


@dataclass(frozen=True, slots=True)
class Storefront:
    """What the storefront's pages need, injected as one value: Litestar resolves two or
    more dependencies of a handler in a task group, which cost the product list more than
    building its twenty products."""

    catalog: CatalogService
    blobs: BlobStore
    pages: StorefrontCache


class CategoryOut(msgspec.Struct):
    id: UUID
    name: str
    slug: str
    product_count: int
    tax_class_id: UUID | None

    @classmethod
    def of(cls, category: CategorySummary) -> CategoryOut:
        return cls(
            category.id,
            category.name,
            category.slug,
            category.product_count,
            category.tax_class_id,
        )


class CategoryListOut(msgspec.Struct):
    """Every category at once (a shop has few); `next_cursor` keeps the list shape."""

    items: list[CategoryOut]
    next_cursor: str | None = None


class CategoryRefOut(msgspec.Struct):
    id: UUID
    name: str
    slug: str


class ImageOut(msgspec.Struct):
    id: UUID
    url: str


class ProductOut(msgspec.Struct):
    id: UUID
    name: str
    slug: str
    description: str
    category: CategoryRefOut
    price: str
    stock: int
    unit: Unit
    in_stock: bool
    units_sold: int
    low_stock_threshold: int
    images: list[ImageOut]
    created_at: datetime
    sold_by: SoldBy
    step_kg: str | None  # a weighed product's step in kg ("0.250"): stock counts steps
    step_price: str | None  # what one step costs
    tax_class_id: UUID | None  # its own; else its category's class taxes it


class ProductPageOut(msgspec.Struct):
    items: list[ProductOut]
    next_cursor: str | None


class UploadedImageOut(msgspec.Struct):
    id: UUID
    url: str
    content_type: str
    size: int
    width: int
    height: int


async def product_out(view: ProductView, blobs: BlobStore) -> ProductOut:
    category = view.category
    return ProductOut(
        id=view.id,
        name=view.name,
        slug=view.slug,
        description=view.description,
        category=CategoryRefOut(category.id, category.name, category.slug),
        price=format_money(view.price),
        stock=view.stock,
        unit=view.unit,
        in_stock=view.in_stock,
        units_sold=view.units_sold,
        low_stock_threshold=view.low_stock_threshold,
        images=[await _image_out(image, blobs) for image in view.images],
        created_at=view.created_at,
        sold_by=view.sold_by,
        step_kg=kg_text(view.step_kg),
        step_price=None if view.step_price is None else format_money(view.step_price),
        tax_class_id=view.tax_class_id,
    )


async def product_page_out(page: ProductPage, blobs: BlobStore) -> ProductPageOut:
    return ProductPageOut(
        items=[await product_out(view, blobs) for view in page.items],
        next_cursor=page.next_cursor,
    )


async def uploaded_image_out(image: ProductImage, blobs: BlobStore) -> UploadedImageOut:
    return UploadedImageOut(
        id=image.id,
        url=await blobs.url_for(image.key),
        content_type=image.content_type,
        size=image.size,
        width=image.width,
        height=image.height,
    )


async def _image_out(image: ImageKey, blobs: BlobStore) -> ImageOut:
    return ImageOut(image.id, await blobs.url_for(image.key))


def kg_text(weight: Decimal | None) -> str | None:
    """A weight as the contract writes it: kg with three decimals ("0.250")."""
    return None if weight is None else f"{weight:.3f}"
