"""PickRepository, and orders as picking leaves them: weighed lines, substitution choices,
picks with substitutes, the final bill and the sales counted after it."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

from grocery.core.catalog import Product, Unit
from grocery.core.final_bill import completed, final_bill
from grocery.core.orders import Order, OrderStatus
from grocery.core.picking import Pick, SubstitutePick
from grocery.core.sales import counted_sales, sales_changes
from grocery.core.substitutions import Substitution, SubstitutionChoice
from grocery.core.weights import SoldBy, Weighing
from tests.ports.shop import NOW, OpenWork, Seed, an_order

TOLERANCE = Decimal(10)


async def _units_sold(uow: OpenWork, *products: Product) -> list[int]:
    async with uow() as work:
        found = [await work.products.get(product.id) for product in products]
    return [product.units_sold for product in found if product is not None]


def _substitute(product: Product, quantity: int) -> SubstitutePick:
    return SubstitutePick(
        product_id=product.id,
        product_name=product.name,
        quantity=quantity,
        unit_price=product.price,
    )


async def _picking(uow: OpenWork, seed: Seed, *lines: tuple[Product, int]) -> Order:
    """An order being picked, its first line weighed and choosing no substitutes."""
    ann = await seed.user()
    order = an_order(ann, *lines, status=OrderStatus.PROCESSING)
    first = replace(
        order.lines[0],
        weighing=Weighing(Decimal("5.00"), Decimal("0.500")),
        choice=SubstitutionChoice(Substitution.NONE),
        category_id=lines[0][0].category_id,
    )
    order = replace(order, lines=(first, *order.lines[1:]))
    async with uow() as work:
        await work.orders.add(order)
        await work.commit()
    return order


async def test_an_order_is_locked_read_with_its_weighing_and_choices(
    uow: OpenWork, seed: Seed
) -> None:
    apples, pears = await seed.product(price=Decimal("2.50")), await seed.product()
    order = await _picking(uow, seed, (apples, 2), (pears, 1))

    async with uow() as work:
        assert await work.picks.lock(order.id) == order
        assert await work.picks.lock(an_order(await seed.user()).id) is None


async def test_a_pick_is_recorded_and_recorded_again_with_or_without_a_substitute(
    uow: OpenWork, seed: Seed
) -> None:
    apples, pears, oat, soy = [await seed.product() for _ in range(4)]
    order = await _picking(uow, seed, (apples, 2), (pears, 3))
    weighed = Pick(picked_quantity=2, picked_weight_kg=Decimal("1.080"))
    substituted = Pick(picked_quantity=1, substitute=_substitute(oat, 2))
    weighed_substitute = replace(
        _substitute(soy, 1),
        weighing=Weighing(Decimal("4.00"), Decimal("0.250")),
        unit_price=Decimal("1.00"),
        weight_kg=Decimal("0.300"),
    )
    again = Pick(picked_quantity=0, substitute=weighed_substitute)

    async with uow() as work:
        await work.picks.record(order.id, order.lines[0].id, weighed)
        await work.picks.record(order.id, order.lines[1].id, substituted)
        await work.commit()
    async with uow() as work:
        first = await work.orders.get(order.id)
        await work.picks.record(order.id, order.lines[1].id, again)
        await work.commit()
    async with uow() as work:
        second = await work.picks.lock(order.id)
        await work.picks.record(order.id, order.lines[1].id, Pick(picked_quantity=3))
        await work.commit()
    async with uow() as work:
        third = await work.orders.get(order.id)

    assert first is not None and second is not None and third is not None
    assert [line.pick for line in first.lines] == [weighed, substituted]
    assert [line.pick for line in second.lines] == [weighed, again]
    assert [line.pick for line in third.lines] == [weighed, Pick(picked_quantity=3)]


async def test_completing_stores_the_final_bill_and_counts_what_was_handed_over(
    uow: OpenWork, seed: Seed
) -> None:
    apples = await seed.product(price=Decimal("2.50"))
    pears, oat = await seed.product(price=Decimal("3.00")), await seed.product()
    order = await _picking(uow, seed, (apples, 2), (pears, 3))
    async with uow() as work:
        await work.picks.record(order.id, order.lines[0].id, Pick(picked_quantity=0))
        await work.picks.record(
            order.id, order.lines[1].id, Pick(picked_quantity=1, substitute=_substitute(oat, 2))
        )
        await work.commit()

    async with uow() as work:
        picked = await work.picks.lock(order.id)
        assert picked is not None
        done = completed(picked, final_bill(picked, None, TOLERANCE), NOW)
        await work.picks.complete(done, sales_changes(counted_sales(picked), counted_sales(done)))
        await work.commit()

    async with uow() as work:
        stored = await work.orders.get(order.id)
    assert stored == done
    assert stored.final is not None and stored.final.total == Decimal("8.00")
    assert await _units_sold(uow, apples, pears, oat) == [0, 1, 2]
    async with uow() as work:
        await work.orders.uncount_sold(stored)
        await work.commit()
    assert await _units_sold(uow, apples, pears, oat) == [0, 0, 0]


async def test_a_weighed_product_and_its_step_are_stored(uow: OpenWork, seed: Seed) -> None:
    cheese = await seed.product(
        price=Decimal("13.99"), unit=Unit.KG, sold_by=SoldBy.WEIGHT, step_kg=Decimal("0.250")
    )

    async with uow() as work:
        stored = await work.products.get(cheese.id)

    assert stored == cheese
    assert stored is not None and stored.weighing == Weighing(Decimal("13.99"), Decimal("0.250"))
