"""StockRoom."""

from __future__ import annotations

from grocery.core.alerts import StockMove
from grocery.core.catalog import Product
from grocery.core.orders import TakenStock
from grocery.core.pricing import CartLine
from tests.ports.shop import OpenWork, Seed, a_category, a_product


def _taken(product: Product, quantity: int) -> TakenStock:
    line = CartLine(
        product_id=product.id,
        name=product.name,
        category_id=product.category_id,
        unit_price=product.price,
        quantity=quantity,
    )
    return TakenStock(line=line, move=_move(product, product.stock - quantity))


def _move(product: Product, stock_after: int) -> StockMove:
    return StockMove(
        product_id=product.id,
        product_name=product.name,
        stock_before=product.stock,
        stock_after=stock_after,
        threshold=product.low_stock_threshold,
    )


async def _stock(uow: OpenWork, *products: Product) -> list[int]:
    async with uow() as work:
        found = [await work.products.get(product.id) for product in products]
    return [product.stock for product in found if product is not None]


async def test_stock_is_taken_of_every_product_that_has_enough(uow: OpenWork, seed: Seed) -> None:
    apples, pears = await seed.product(stock=5), await seed.product(stock=3)

    async with uow() as work:
        taken = await work.stock.take({apples.id: 5, pears.id: 1})
        await work.commit()

    assert taken == {apples.id: _taken(apples, 5), pears.id: _taken(pears, 1)}
    assert await _stock(uow, apples, pears) == [0, 2]


async def test_a_short_archived_or_missing_product_is_left_out_and_untouched(
    uow: OpenWork, seed: Seed
) -> None:
    apples, short = await seed.product(stock=5), await seed.product(stock=2)
    archived = await seed.archived(await seed.product(stock=9))
    missing = a_product(a_category())

    async with uow() as work:
        taken = await work.stock.take({short.id: 3, apples.id: 1, archived.id: 1, missing.id: 1})
        await work.commit()

    assert taken == {apples.id: _taken(apples, 1)}
    assert await _stock(uow, apples, short, archived) == [4, 2, 9]


async def test_stock_taken_in_a_rolled_back_unit_of_work_is_still_there(
    uow: OpenWork, seed: Seed
) -> None:
    apples = await seed.product(stock=5)

    async with uow() as work:
        assert apples.id in await work.stock.take({apples.id: 5})
        await work.rollback()

    assert await _stock(uow, apples) == [5]


async def test_stock_put_back_answers_moves_in_the_order_asked(uow: OpenWork, seed: Seed) -> None:
    apples, pears = await seed.product(stock=1), await seed.product(stock=4)
    archived = await seed.archived(await seed.product(stock=0))
    asked = dict(sorted({apples.id: 2, pears.id: 3, archived.id: 1}.items(), reverse=True))

    async with uow() as work:
        moves = await work.stock.put_back(asked)
        await work.commit()

    by_id = {p.id: p for p in (apples, pears, archived)}
    expected = {
        apples.id: _move(apples, 3),
        pears.id: _move(pears, 7),
        archived.id: _move(archived, 1),
    }
    assert moves == [expected[product_id] for product_id in asked]
    assert await _stock(uow, *by_id.values()) == [3, 7, 1]
