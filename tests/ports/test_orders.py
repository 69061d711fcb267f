"""OrderRepository."""

from __future__ import annotations

from dataclasses import replace

from grocery.core.catalog import Product
from grocery.core.orders import OrderStatus
from tests.ports.shop import NOW, OpenWork, Seed, a_user, an_order, ascending_ids, at


async def _units_sold(uow: OpenWork, *products: Product) -> list[int]:
    async with uow() as work:
        found = [await work.products.get(product.id) for product in products]
    return [product.units_sold for product in found if product is not None]


async def test_an_order_is_stored_with_its_lines_and_counted_in_its_products_sales(
    uow: OpenWork, seed: Seed
) -> None:
    ann, apples, pears = await seed.user(), await seed.product(), await seed.product()
    order = await seed.order(ann, (apples, 2), (pears, 1), (apples, 1))

    async with uow() as work:
        assert await work.orders.get(order.id) == order
        assert await work.orders.get(an_order(ann).id) is None

    assert await _units_sold(uow, apples, pears) == [3, 1]
    async with uow() as work:
        await work.orders.uncount_sold(order)
        await work.commit()
    assert await _units_sold(uow, apples, pears) == [0, 0]


async def test_an_orders_lines_come_in_id_order(uow: OpenWork, seed: Seed) -> None:
    ann, apples, pears = await seed.user(), await seed.product(), await seed.product()
    order = an_order(ann, (apples, 1), (pears, 1))
    shuffled = replace(order, lines=order.lines[::-1])

    async with uow() as work:
        await work.orders.add(shuffled)
        await work.commit()

    async with uow() as work:
        assert await work.orders.get(order.id) == order
        assert await work.orders.page(customer=ann.id, status=None, after=None, limit=5) == [order]


async def test_orders_are_paged_newest_first_after_the_mark(uow: OpenWork, seed: Seed) -> None:
    ann, bob, apples = await seed.user(), await seed.user(), await seed.product()
    low, high = ascending_ids(2)
    oldest = await seed.order(ann, (apples, 1), created_at=at(1))
    tied_low = await seed.order(bob, (apples, 1), id=low, created_at=at(2))
    tied_high = await seed.order(ann, (apples, 1), id=high, created_at=at(2))
    newest = await seed.order(bob, (apples, 1), created_at=at(3))

    async with uow() as work:
        page = await work.orders.page(customer=None, status=None, after=None, limit=2)
        rest = await work.orders.page(customer=None, status=None, after=(at(2), high), limit=5)

    assert [o.id for o in page] == [newest.id, tied_high.id]
    assert [o.id for o in rest] == [tied_low.id, oldest.id]


async def test_orders_are_paged_for_one_customer(uow: OpenWork, seed: Seed) -> None:
    ann, bob, apples = await seed.user(), await seed.user(), await seed.product()
    first = await seed.order(ann, (apples, 1), created_at=at(1))
    await seed.order(bob, (apples, 1), created_at=at(2))
    second = await seed.order(ann, (apples, 1), created_at=at(3))

    async with uow() as work:
        anns = await work.orders.page(customer=ann.id, status=None, after=None, limit=5)
        anns_older = await work.orders.page(
            customer=ann.id, status=None, after=(at(3), second.id), limit=5
        )
        nobodys = await work.orders.page(customer=a_user().id, status=None, after=None, limit=5)

    assert anns == [second, first]
    assert anns_older == [first]
    assert nobodys == []


async def test_an_order_moves_only_from_an_allowed_status(uow: OpenWork, seed: Seed) -> None:
    order = await seed.order(await seed.user(), (await seed.product(), 1))
    shipping = {OrderStatus.PROCESSING}

    async with uow() as work:
        assert not await work.orders.move(
            order.id, to=OrderStatus.SHIPPED, allowed_from=shipping, at=at(1)
        )
        assert await work.orders.move(
            order.id, to=OrderStatus.PROCESSING, allowed_from={OrderStatus.PLACED}, at=at(2)
        )
        assert not await work.orders.move(
            an_order(a_user()).id, to=OrderStatus.SHIPPED, allowed_from=shipping, at=at(3)
        )
        await work.commit()

    async with uow() as work:
        moved = await work.orders.get(order.id)
    assert moved == replace(order, status=OrderStatus.PROCESSING, updated_at=at(2))


async def test_a_cancelled_order_notes_when(uow: OpenWork, seed: Seed) -> None:
    order = await seed.order(await seed.user(), (await seed.product(), 1))
    cancellable = {OrderStatus.PLACED, OrderStatus.PROCESSING}

    async with uow() as work:
        assert await work.orders.move(
            order.id, to=OrderStatus.CANCELLED, allowed_from=cancellable, at=at(4)
        )
        assert not await work.orders.move(
            order.id, to=OrderStatus.CANCELLED, allowed_from=cancellable, at=at(5)
        )
        await work.commit()

    async with uow() as work:
        cancelled = await work.orders.get(order.id)
    assert cancelled == replace(
        order, status=OrderStatus.CANCELLED, updated_at=at(4), cancelled_at=at(4)
    )
    assert cancelled.created_at == NOW
