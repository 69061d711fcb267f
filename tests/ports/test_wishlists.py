"""WishlistRepository."""

from __future__ import annotations

from datetime import datetime

from grocery.core.cart import WishedProduct
from grocery.core.catalog import Product
from tests.ports.shop import NOW, OpenWork, Seed, ascending_ids, at


def _wished(product: Product, added_at: datetime, image_key: str | None = None) -> WishedProduct:
    return WishedProduct(
        product_id=product.id,
        name=product.name,
        slug=product.slug,
        price=product.price,
        stock=product.stock,
        available=not product.archived,
        image_key=image_key,
        added_at=added_at,
    )


async def test_a_wish_is_added_once_and_removed_once(uow: OpenWork, seed: Seed) -> None:
    ann, apples = await seed.user(), await seed.product()

    async with uow() as work:
        assert await work.wishlist.add(ann.id, apples.id, NOW)
        assert not await work.wishlist.add(ann.id, apples.id, at(1))
        await work.commit()
    async with uow() as work:
        assert await work.wishlist.get(ann.id, apples.id) == _wished(apples, NOW)
        assert await work.wishlist.remove(ann.id, apples.id)
        assert not await work.wishlist.remove(ann.id, apples.id)
        await work.commit()

    async with uow() as work:
        assert await work.wishlist.get(ann.id, apples.id) is None


async def test_a_wished_product_shows_its_first_image_and_whether_it_is_archived(
    uow: OpenWork, seed: Seed
) -> None:
    ann, apples = await seed.user(), await seed.product()
    first, second = ascending_ids(2)
    await seed.image(apples, id=second)
    shown = await seed.image(apples, id=first)
    archived = await seed.archived(apples)
    async with uow() as work:
        await work.wishlist.add(ann.id, apples.id, NOW)
        await work.commit()

    async with uow() as work:
        assert await work.wishlist.get(ann.id, apples.id) == _wished(archived, NOW, shown.key)


async def test_a_wishlist_is_paged_newest_first_after_the_mark(uow: OpenWork, seed: Seed) -> None:
    ann, bob = await seed.user(), await seed.user()
    low, high = ascending_ids(2)
    oldest, tied_low, tied_high, newest = (
        await seed.product(),
        await seed.product(id=low),
        await seed.product(id=high),
        await seed.product(),
    )
    async with uow() as work:
        await work.wishlist.add(ann.id, newest.id, at(3))
        await work.wishlist.add(ann.id, oldest.id, at(1))
        await work.wishlist.add(ann.id, tied_low.id, at(2))  # the same moment: by id, high first
        await work.wishlist.add(ann.id, tied_high.id, at(2))
        await work.wishlist.add(bob.id, oldest.id, at(9))
        await work.commit()

    async with uow() as work:
        page = await work.wishlist.page(ann.id, after=None, limit=2)
        rest = await work.wishlist.page(ann.id, after=(at(2), tied_high.id), limit=5)

    assert page == [_wished(newest, at(3)), _wished(tied_high, at(2))]
    assert rest == [_wished(tied_low, at(2)), _wished(oldest, at(1))]
