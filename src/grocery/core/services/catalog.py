"""Catalog use cases: the storefront's reads and the manager's categories, products and images."""

from __future__ import annotations

import asyncio
from collections.abc import Collection
from contextlib import suppress
from uuid import UUID

from grocery.core.alerts import StockMove
from grocery.core.catalog import (
    Category,
    CategorySummary,
    ImageKey,
    Product,
    ProductImage,
    ProductView,
    Removal,
)
from grocery.core.catalog_edits import ProductEdit, category_draft, edited_product, new_product
from grocery.core.edits import KEEP, Keep, kept
from grocery.core.errors import DomainError, Invalid, NotFound, PayloadTooLarge, field_error
from grocery.core.ids import new_id
from grocery.core.ports.blobs import BlobStore
from grocery.core.ports.catalog import CatalogReader, CatalogWork
from grocery.core.ports.clock import Clock
from grocery.core.ports.images import ImageInspector
from grocery.core.ports.transaction import UnitOfWorkFactory
from grocery.core.services.stock import record_stock
from grocery.core.stock import MovementKind, initial_movement
from grocery.core.storefront import ProductPage, ProductQuery


class CatalogService:
    def __init__(
        self,
        *,
        uow: UnitOfWorkFactory[CatalogWork],
        reader: CatalogReader,
        blobs: BlobStore,
        inspect_image: ImageInspector,
        clock: Clock,
        low_stock_threshold: int,
        max_upload_bytes: int,
    ) -> None:
        self._uow = uow
        self._reader = reader
        self._blobs = blobs
        self._inspect_image = inspect_image
        self._clock = clock
        self._low_stock_threshold = low_stock_threshold
        self._max_upload_bytes = max_upload_bytes

    # --- the storefront ---------------------------------------------------------

    async def categories(self) -> list[CategorySummary]:
        return await self._reader.categories()

    async def category(self, ref: str) -> CategorySummary:
        found = await self._reader.category(ref)
        if found is None:
            raise NotFound("No such category.")
        return found

    async def browse(self, query: ProductQuery) -> ProductPage:
        return await self._reader.products(query)

    async def product(self, ref: str) -> ProductView:
        found = await self._reader.product(ref)
        if found is None:
            raise NotFound("No such product.")
        return found

    async def products_by_id(self, ids: Collection[UUID]) -> dict[UUID, ProductView]:
        """Those still sold, by id, read together (a screen of order lines asks for many)."""
        return {view.id: view for view in await self._reader.products_by_id(ids)}

    # --- categories -------------------------------------------------------------

    async def add_category(
        self, name: str, slug: str | Keep = KEEP, tax_class_id: UUID | None = None
    ) -> CategorySummary:
        """The slug is derived from the name when none is sent."""
        draft = category_draft(name, slug)
        category = Category(new_id(), draft.name, draft.slug, tax_class_id)
        async with self._uow() as uow:
            await uow.categories.add(category)
            await uow.commit()
        return CategorySummary(
            category.id, category.name, category.slug, product_count=0, tax_class_id=tax_class_id
        )

    async def edit_category(
        self,
        ref: str,
        *,
        name: str | Keep = KEEP,
        slug: str | Keep = KEEP,
        tax_class_id: UUID | Keep | None = KEEP,
    ) -> CategorySummary:
        """A rename keeps the slug unless a new one is sent, so links keep working."""
        async with self._uow() as uow:
            category = await _category(uow, ref)
            draft = category_draft(kept(name, category.name), kept(slug, category.slug))
            taxed_by = kept(tax_class_id, category.tax_class_id)
            await uow.categories.update(Category(category.id, draft.name, draft.slug, taxed_by))
            await uow.commit()
        # The name and slug as written: the reader may be a replica that has not replayed them.
        counted = await self._reader.category(str(category.id))
        products = 0 if counted is None else counted.product_count
        return CategorySummary(category.id, draft.name, draft.slug, products, taxed_by)

    async def remove_category(self, ref: str) -> None:
        async with self._uow() as uow:
            category = await _category(uow, ref)
            await uow.categories.delete(category.id)
            await uow.commit()

    # --- products ---------------------------------------------------------------

    async def add_product(self, edit: ProductEdit, *, by: UUID | None = None) -> ProductView:
        """The product, its stock the first line of its ledger (`by` the manager)."""
        now = self._clock.now()
        product = new_product(
            edit, id=new_id(), created_at=now, default_threshold=self._low_stock_threshold
        )
        async with self._uow() as uow:
            category = await _chosen_category(uow, product.category_id)
            await uow.products.add(product)
            first = initial_movement(product.id, product.stock, now, user_id=by)
            await uow.stock_movements.record([] if first is None else [first])
            await uow.commit()
        return ProductView.of(product, category)

    async def edit_product(
        self, product_id: UUID, edit: ProductEdit, *, by: UUID | None = None
    ) -> ProductView:
        """A new `stock` is recorded as an adjustment by `by`."""
        async with self._uow() as uow:
            # Locked, so a checkout's stock change can't slip between reading and saving.
            before = await _product(uow, product_id, lock=True)
            product = edited_product(before, edit)
            category = await _chosen_category(uow, product.category_id)
            await uow.products.update(product)
            move = StockMove.edited(before, product)
            now = self._clock.now()
            await record_stock(uow, [move], MovementKind.ADJUSTMENT, now, user_id=by)
            images = await uow.product_images.of_product(product_id)
            await uow.commit()
        return ProductView.of(product, category, tuple(ImageKey(i.id, i.key) for i in images))

    async def remove_product(self, product_id: UUID) -> Removal:
        """Deleted with its images, or archived when an order ever had it (orders keep it)."""
        async with self._uow() as uow:
            await _product(uow, product_id, lock=True)
            images = await uow.product_images.of_product(product_id)
            ordered = await uow.products.was_ever_ordered(product_id)
            # Order lines' foreign keys have the last word, should the port miss an order.
            if ordered or not await uow.products.delete(product_id):
                await uow.products.archive(product_id)
                await uow.commit()
                return Removal.ARCHIVED
            # Objects go before the commit: storage down leaves the product whole (503).
            for image in images:
                await self._blobs.delete(image.key)
            await uow.commit()
        return Removal.DELETED

    # --- images -----------------------------------------------------------------

    async def add_image(self, product_id: UUID, data: bytes) -> ProductImage:
        """Stores the picture, then its row; a row that can't be written takes the object back."""
        if len(data) > self._max_upload_bytes:
            raise PayloadTooLarge(f"An image may be at most {self._max_upload_bytes} bytes.")
        if not data:
            raise Invalid("The file is empty.", errors=[field_error("file", "is empty")])
        async with self._uow() as uow:
            await _product(uow, product_id)
        # Decoding a picture is CPU work: keep it off the event loop.
        picture = await asyncio.to_thread(self._inspect_image, data)
        image_id = new_id()
        image = ProductImage(
            id=image_id,
            product_id=product_id,
            key=f"products/{product_id}/{image_id}.{picture.extension}",
            content_type=picture.content_type,
            size=len(picture.data),
            width=picture.width,
            height=picture.height,
        )
        await self._blobs.put(image.key, picture.data, image.content_type)
        try:
            async with self._uow() as uow:
                await uow.product_images.add(image)
                await uow.commit()
        except BaseException:
            with suppress(DomainError):  # storage gone too: an orphan object, never a lost row
                await self._blobs.delete(image.key)
            raise
        return image

    async def remove_image(self, product_id: UUID, image_id: UUID) -> None:
        async with self._uow() as uow:
            image = await uow.product_images.get(product_id, image_id)
            if image is None:
                raise NotFound("No such image.")
            await uow.product_images.delete(image_id)
            # The object goes before the commit: storage down leaves the image listed (503).
            await self._blobs.delete(image.key)
            await uow.commit()


async def _category(uow: CatalogWork, ref: str) -> Category:
    found = await uow.categories.get(ref)
    if found is None:
        raise NotFound("No such category.")
    return found


async def _chosen_category(uow: CatalogWork, category_id: UUID) -> Category:
    """The category a product is put in: a missing one is a mistake in the form (422)."""
    found = await uow.categories.get(str(category_id))
    if found is None:
        raise Invalid(
            "The category does not exist.",
            errors=[field_error("category_id", "no such category")],
        )
    return found


async def _product(uow: CatalogWork, product_id: UUID, *, lock: bool = False) -> Product:
    """A product still in the catalog; archived ones are gone as far as managers edit."""
    found = await uow.products.get(product_id, for_update=lock)
    if found is None or found.archived:
        raise NotFound("No such product.")
    return found
