"""CatalogService on the in-memory adapters: the manager's use cases and image consistency."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from uuid import UUID, uuid4

import pytest

from grocery.adapters.images import ImageInfo
from grocery.adapters.memory.uow import MemoryStore, MemoryUnitOfWork
from grocery.core.catalog import CategorySummary, Product, ProductView, Removal
from grocery.core.catalog_edits import ProductEdit
from grocery.core.errors import (
    AlreadyExists,
    Conflict,
    Invalid,
    NotFound,
    PayloadTooLarge,
    ServiceUnavailable,
    UnsupportedMediaType,
)
from grocery.core.services.catalog import CatalogService
from grocery.core.storefront import ProductPage, ProductQuery

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
PNG = b"\x89PNG\r\n\x1a\n picture"
MAX_UPLOAD = 1024


class FixedClock:
    def now(self) -> datetime:
        return NOW


@dataclass
class FakeBlobs:
    """A BlobStore that can be switched off, to play a storage outage."""

    objects: dict[str, bytes] = field(default_factory=dict)
    down: bool = False

    async def put(self, key: str, data: bytes, content_type: str) -> None:
        self._check()
        self.objects[key] = data

    async def get(self, key: str) -> bytes:
        self._check()
        return self.objects[key]

    async def delete(self, key: str) -> None:
        self._check()
        self.objects.pop(key, None)

    async def url_for(self, key: str) -> str:
        return f"/media/{key}"

    async def ping(self) -> None:
        self._check()

    def _check(self) -> None:
        if self.down:
            raise ServiceUnavailable("Image storage is unavailable right now.")


def inspect(data: bytes) -> ImageInfo:
    if not data.startswith(b"\x89PNG"):
        raise UnsupportedMediaType("Only JPEG, PNG and WebP images are accepted.")
    return ImageInfo("image/png", "png", 4, 3, data=data)  # as if encoded afresh


class NoReads:
    """The storefront's reads are SQL-only; these tests cover the writes."""

    async def categories(self) -> list[CategorySummary]:
        raise NotImplementedError

    async def category(self, ref: str) -> CategorySummary | None:
        raise NotImplementedError

    async def product(self, ref: str) -> ProductView | None:
        raise NotImplementedError

    async def products_by_id(self, ids: Collection[UUID]) -> list[ProductView]:
        raise NotImplementedError

    async def products(self, query: ProductQuery) -> ProductPage:
        raise NotImplementedError


@dataclass
class Shop:
    store: MemoryStore = field(default_factory=MemoryStore)
    blobs: FakeBlobs = field(default_factory=FakeBlobs)
    unit_of_work: type[MemoryUnitOfWork] = MemoryUnitOfWork

    @property
    def service(self) -> CatalogService:
        return CatalogService(
            uow=lambda: self.unit_of_work(self.store),
            reader=NoReads(),
            blobs=self.blobs,
            inspect_image=inspect,
            clock=FixedClock(),
            low_stock_threshold=7,
            max_upload_bytes=MAX_UPLOAD,
        )

    @property
    def images(self) -> list[UUID]:
        return list(self.store.catalog.images)


@pytest.fixture
def shop() -> Shop:
    return Shop()


async def stocked(shop: Shop, name: str = "Bananas") -> ProductView:
    category = await shop.service.add_category(f"Fruit {uuid4().hex[:6]}")
    return await shop.service.add_product(
        ProductEdit(name=name, category_id=category.id, price="1.29", stock=5)
    )


async def test_a_new_product_takes_the_shop_threshold_and_its_category(shop: Shop) -> None:
    product = await stocked(shop)

    assert product.low_stock_threshold == 7
    assert product.created_at == NOW
    assert product.category.name.startswith("Fruit")
    assert shop.store.catalog.products[product.id].slug == "bananas"


async def test_a_product_in_an_unknown_category_is_refused(shop: Shop) -> None:
    with pytest.raises(Invalid) as error:
        await shop.service.add_product(
            ProductEdit(name="Kiwi", category_id=uuid4(), price="1", stock=1)
        )

    assert error.value.errors == [{"field": "category_id", "message": "no such category"}]
    assert shop.store.catalog.products == {}


async def test_taken_category_names_are_refused(shop: Shop) -> None:
    await shop.service.add_category("Bakery")

    with pytest.raises(AlreadyExists):
        await shop.service.add_category("BAKERY", "bread")


async def test_a_category_with_products_is_kept(shop: Shop) -> None:
    product = await stocked(shop)

    with pytest.raises(Conflict) as error:
        await shop.service.remove_category(str(product.category.id))

    assert error.value.code == "category_not_empty"
    assert product.category.id in shop.store.catalog.categories


async def test_editing_an_archived_product_is_not_found(shop: Shop) -> None:
    product = await stocked(shop)
    shop.store.catalog.products[product.id] = _sold(shop, product.id)
    await shop.service.remove_product(product.id)

    with pytest.raises(NotFound):
        await shop.service.edit_product(product.id, ProductEdit(stock=9))


async def test_removing_a_product_never_ordered_deletes_it_and_its_pictures(shop: Shop) -> None:
    product = await stocked(shop)
    image = await shop.service.add_image(product.id, PNG)

    removal = await shop.service.remove_product(product.id)

    assert removal is Removal.DELETED
    assert product.id not in shop.store.catalog.products
    assert shop.images == []
    assert image.key not in shop.blobs.objects


async def test_removing_an_ordered_product_archives_it_and_keeps_its_pictures(
    shop: Shop,
) -> None:
    product = await stocked(shop)
    image = await shop.service.add_image(product.id, PNG)
    shop.store.catalog.products[product.id] = _sold(shop, product.id)

    removal = await shop.service.remove_product(product.id)

    assert removal is Removal.ARCHIVED
    assert shop.store.catalog.products[product.id].archived
    assert image.key in shop.blobs.objects


async def test_removing_a_product_while_storage_is_down_changes_nothing(shop: Shop) -> None:
    product = await stocked(shop)
    await shop.service.add_image(product.id, PNG)
    shop.blobs.down = True

    with pytest.raises(ServiceUnavailable):
        await shop.service.remove_product(product.id)

    assert product.id in shop.store.catalog.products
    assert len(shop.images) == 1


async def test_an_image_is_stored_under_a_key_the_server_makes(shop: Shop) -> None:
    product = await stocked(shop)

    image = await shop.service.add_image(product.id, PNG)

    assert image.key == f"products/{product.id}/{image.id}.png"
    assert (image.content_type, image.size, image.width, image.height) == (
        "image/png",
        len(PNG),
        4,
        3,
    )
    assert shop.blobs.objects == {image.key: PNG}
    assert shop.images == [image.id]


async def test_an_oversize_image_writes_nothing(shop: Shop) -> None:
    product = await stocked(shop)

    with pytest.raises(PayloadTooLarge):
        await shop.service.add_image(product.id, PNG + b"x" * MAX_UPLOAD)

    assert shop.blobs.objects == {}
    assert shop.images == []


async def test_a_file_that_is_no_picture_writes_nothing(shop: Shop) -> None:
    product = await stocked(shop)

    with pytest.raises(UnsupportedMediaType):
        await shop.service.add_image(product.id, b"<html>hello</html>")

    assert shop.blobs.objects == {}
    assert shop.images == []


async def test_an_image_for_an_unknown_product_is_not_found(shop: Shop) -> None:
    with pytest.raises(NotFound):
        await shop.service.add_image(uuid4(), PNG)

    assert shop.blobs.objects == {}


async def test_storage_down_on_upload_leaves_no_row(shop: Shop) -> None:
    product = await stocked(shop)
    shop.blobs.down = True

    with pytest.raises(ServiceUnavailable):
        await shop.service.add_image(product.id, PNG)

    assert shop.images == []


async def test_a_row_that_fails_after_the_put_takes_the_object_back(shop: Shop) -> None:
    product = await stocked(shop)

    class ProductGoneMeanwhile(MemoryUnitOfWork):
        async def commit(self) -> None:
            self._working.catalog.products.pop(product.id)  # another manager deleted it
            self._working.catalog.images.clear()
            raise NotFound("No such product.")

    shop.unit_of_work = ProductGoneMeanwhile

    with pytest.raises(NotFound):
        await shop.service.add_image(product.id, PNG)

    assert shop.blobs.objects == {}
    assert shop.images == []


async def test_removing_an_image_removes_its_object(shop: Shop) -> None:
    product = await stocked(shop)
    kept = await shop.service.add_image(product.id, PNG)
    gone = await shop.service.add_image(product.id, PNG)

    await shop.service.remove_image(product.id, gone.id)

    assert shop.images == [kept.id]
    assert list(shop.blobs.objects) == [kept.key]


async def test_removing_an_image_of_another_product_is_not_found(shop: Shop) -> None:
    first, second = await stocked(shop), await stocked(shop, "Kiwis")
    image = await shop.service.add_image(first.id, PNG)

    with pytest.raises(NotFound):
        await shop.service.remove_image(second.id, image.id)

    assert shop.images == [image.id]


def _sold(shop: Shop, product_id: UUID) -> Product:
    return replace(shop.store.catalog.products[product_id], units_sold=2)
