"""StockRoom and StockLedger."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal
from typing import Any

from grocery.core.alerts import StockMove
from grocery.core.catalog import Product, Unit
from grocery.core.ids import new_id
from grocery.core.orders import TakenStock
from grocery.core.pricing import CartLine
from grocery.core.stock import MovementKind, StockMovement
from grocery.core.weights import SoldBy, Weighing
from tests.ports.shop import NOW, OpenWork, Seed, a_category, a_product


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


async def test_an_exchange_gives_back_and_takes_in_one_step_answering_in_id_order(
    uow: OpenWork, seed: Seed
) -> None:
    old, new = await seed.product(stock=1), await seed.product(stock=4)
    asked = dict(sorted({old.id: -2, new.id: 3}.items(), reverse=True))

    async with uow() as work:
        moved = await work.stock.exchange(asked)
        await work.commit()

    assert list(moved) == sorted(asked)
    assert moved == {old.id: _move(old, 3), new.id: _move(new, 1)}
    assert await _stock(uow, old, new) == [3, 1]


async def test_an_exchange_leaves_out_a_take_short_of_stock_archived_or_missing(
    uow: OpenWork, seed: Seed
) -> None:
    old, short = await seed.product(stock=0), await seed.product(stock=2)
    archived = await seed.archived(await seed.product(stock=9))
    missing = a_product(a_category())

    async with uow() as work:
        moved = await work.stock.exchange({old.id: -1, short.id: 3, archived.id: 1, missing.id: 1})
        await work.commit()

    assert moved == {old.id: _move(old, 1)}  # the caller rolls back; the port leaves it to it
    assert await _stock(uow, old, short, archived) == [1, 2, 9]


async def test_a_weighed_products_stock_is_taken_in_steps_priced_per_step(
    uow: OpenWork, seed: Seed
) -> None:
    step = Decimal("0.500")
    melon = await seed.product(
        price=Decimal("2.99"), unit=Unit.KG, sold_by=SoldBy.WEIGHT, step_kg=step, stock=8
    )

    async with uow() as work:
        taken = await work.stock.take({melon.id: 3})
        await work.commit()

    weighing = Weighing(Decimal("2.99"), step)
    assert taken[melon.id].line == replace(
        _taken(melon, 3).line, unit_price=Decimal("1.50"), weighing=weighing
    )
    assert await _stock(uow, melon) == [5]


async def test_an_adjustment_moves_stock_unless_it_would_go_below_zero(
    uow: OpenWork, seed: Seed
) -> None:
    apples = await seed.product(stock=4)

    async with uow() as work:
        received = await work.stock.adjust(apples.id, 6)
        counted = await work.stock.adjust(apples.id, -10)
        short = await work.stock.adjust(apples.id, -1)
        missing = await work.stock.adjust(a_product(a_category()).id, 1)
        await work.commit()

    assert received == _move(apples, 10)
    assert counted == replace(_move(apples, 0), stock_before=10)
    assert (short, missing) == (None, None)
    assert await _stock(uow, apples) == [0]


# --- the ledger ---------------------------------------------------------------


def _movement(product: Product, quantity: int, stock_after: int, **fields: Any) -> StockMovement:
    values: dict[str, Any] = {
        "id": new_id(),
        "product_id": product.id,
        "kind": MovementKind.RECEIPT,
        "quantity": quantity,
        "stock_after": stock_after,
        "created_at": NOW,
    }
    return StockMovement(**{**values, **fields})


async def test_movements_are_recorded_and_paged_newest_first_per_product(
    uow: OpenWork, seed: Seed
) -> None:
    apples, pears = await seed.product(), await seed.product()
    ann = await seed.user()
    order = await seed.order(ann, (apples, 1))
    first = _movement(apples, 10, 10, kind=MovementKind.INITIAL)
    sale = _movement(apples, -1, 9, kind=MovementKind.SALE, order_id=order.id, user_id=ann.id)
    noted = _movement(apples, 5, 14, note="pallet 7", user_id=ann.id)
    other = _movement(pears, 3, 3)

    async with uow() as work:
        await work.stock_movements.record([first, sale])
        await work.stock_movements.record([noted, other])
        await work.stock_movements.record([])
        await work.commit()

    async with uow() as work:
        page = await work.stock_movements.page(apples.id, before=None, limit=2)
        rest = await work.stock_movements.page(apples.id, before=sale.id, limit=5)
        theirs = await work.stock_movements.page(pears.id, before=None, limit=5)
    assert (page, rest, theirs) == ([noted, sale], [first], [other])


async def test_movements_of_a_rolled_back_unit_of_work_are_not_kept(
    uow: OpenWork, seed: Seed
) -> None:
    apples = await seed.product()

    async with uow() as work:
        await work.stock_movements.record([_movement(apples, 1, 11)])
        await work.rollback()

    async with uow() as work:
        assert await work.stock_movements.page(apples.id, before=None, limit=5) == []
