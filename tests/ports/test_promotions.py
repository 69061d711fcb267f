"""PromoCodeRepository and PromoRedemptionRepository."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from decimal import Decimal

import pytest

from grocery.core.errors import AlreadyExists, Invalid
from grocery.core.promotions import DiscountType
from tests.ports.shop import NOW, OpenWork, Seed, a_category, a_promo, an_order, ascending_ids, at

# --- promo codes --------------------------------------------------------------


async def test_a_promo_code_is_found_by_id_and_normalised_code(uow: OpenWork, seed: Seed) -> None:
    scope = await seed.category()
    promo = await seed.promo(code="Spring-10", category_ids=frozenset({scope.id}))

    async with uow() as work:
        assert await work.promo_codes.get(promo.id) == promo
        assert await work.promo_codes.by_code("SPRING-10") == promo
        assert await work.promo_codes.by_code("SUMMER") is None
        assert await work.promo_codes.get(a_promo().id) is None


@pytest.mark.parametrize("code", ["spring", "SPRING", "Spring"])
async def test_a_code_taken_in_any_case_is_refused(uow: OpenWork, seed: Seed, code: str) -> None:
    await seed.promo(code="SPRING")
    newcomer = a_promo(code=code)

    async with uow() as work:
        with pytest.raises(AlreadyExists) as refused:
            await work.promo_codes.add(newcomer)
    assert refused.value.errors == [{"field": "code", "message": "is already taken"}]

    async with uow() as work:
        assert await work.promo_codes.get(newcomer.id) is None


async def test_a_code_taken_is_refused_on_update(uow: OpenWork, seed: Seed) -> None:
    await seed.promo(code="SPRING")
    summer = await seed.promo(code="SUMMER")

    async with uow() as work:
        with pytest.raises(AlreadyExists) as refused:
            await work.promo_codes.update(replace(summer, code="spring"))
    assert refused.value.errors == [{"field": "code", "message": "is already taken"}]


async def test_a_code_scoped_to_a_missing_category_is_refused(uow: OpenWork, seed: Seed) -> None:
    promo = await seed.promo()
    scoped = frozenset({a_category().id})

    async with uow() as work:
        with pytest.raises(Invalid) as refused:
            await work.promo_codes.add(a_promo(category_ids=scoped))
    assert refused.value.errors == [{"field": "category_ids", "message": "no such category"}]

    async with uow() as work:
        with pytest.raises(Invalid):
            await work.promo_codes.update(replace(promo, category_ids=scoped))


async def test_an_update_saves_the_terms_but_never_times_used_or_created_at(
    uow: OpenWork, seed: Seed
) -> None:
    old_scope, new_scope = await seed.category(), await seed.category()
    promo = await seed.promo(category_ids=frozenset({old_scope.id}))
    await seed.redeemed(promo, await seed.user(), await seed.product())
    terms = replace(
        promo,
        code="AUTUMN",
        discount_type=DiscountType.FIXED,
        value=Decimal("5.00"),
        is_active=False,
        starts_at=at(-60),
        expires_at=at(60),
        min_order_amount=Decimal("20.00"),
        max_discount=Decimal("4.00"),
        max_uses=10,
        max_uses_per_customer=2,
        category_ids=frozenset({new_scope.id}),
    )

    async with uow() as work:
        await work.promo_codes.update(replace(terms, times_used=0, created_at=at(5)))
        await work.commit()

    async with uow() as work:
        assert await work.promo_codes.get(promo.id) == replace(terms, times_used=1)


async def test_max_uses_below_the_uses_so_far_is_refused(uow: OpenWork, seed: Seed) -> None:
    promo = await seed.promo(max_uses=5)
    product, ann = await seed.product(), await seed.user()
    await seed.redeemed(promo, ann, product)
    await seed.redeemed(promo, ann, product)

    async with uow() as work:
        with pytest.raises(Invalid) as refused:
            await work.promo_codes.update(replace(promo, max_uses=1))
    assert refused.value.errors == [{"field": "max_uses", "message": "is below times_used"}]

    async with uow() as work:
        await work.promo_codes.update(replace(promo, max_uses=2))
        await work.commit()
    async with uow() as work:
        stored = await work.promo_codes.get(promo.id)
    assert stored is not None
    assert (stored.max_uses, stored.times_used) == (2, 2)


async def test_an_unused_code_is_deleted_and_leaves_the_carts_it_was_applied_to(
    uow: OpenWork, seed: Seed
) -> None:
    promo, ann = await seed.promo(), await seed.user()
    async with uow() as work:
        await work.cart.set_promo(ann.id, promo.id)
        await work.commit()

    async with uow() as work:
        assert await work.promo_codes.delete_if_unused(promo.id)
        assert not await work.promo_codes.delete_if_unused(a_promo().id)
        await work.commit()

    async with uow() as work:
        assert await work.promo_codes.get(promo.id) is None
        assert (await work.shelf.in_cart(ann.id)).promo_id is None


async def test_a_used_code_is_not_deleted(uow: OpenWork, seed: Seed) -> None:
    promo = await seed.promo()
    await seed.redeemed(promo, await seed.user(), await seed.product())

    async with uow() as work:
        assert not await work.promo_codes.delete_if_unused(promo.id)
        await work.commit()

    async with uow() as work:
        assert await work.promo_codes.get(promo.id) == replace(promo, times_used=1)


async def test_promo_codes_are_paged_newest_first_before_the_mark(
    uow: OpenWork, seed: Seed
) -> None:
    first, second, third = ascending_ids(3)
    for promo_id in (second, third, first):
        await seed.promo(id=promo_id)

    async with uow() as work:
        page = [p.id for p in await work.promo_codes.page(before=None, limit=2)]
        rest = [p.id for p in await work.promo_codes.page(before=second, limit=2)]

    assert page == [third, second]
    assert rest == [first]


async def test_unknown_categories_are_those_not_in_the_catalog(uow: OpenWork, seed: Seed) -> None:
    known, unknown = await seed.category(), a_category()

    async with uow() as work:
        assert await work.promo_codes.unknown_categories([known.id, unknown.id]) == {unknown.id}
        assert await work.promo_codes.unknown_categories([]) == set()


# --- redemptions --------------------------------------------------------------


async def test_uses_are_counted_per_customer_and_released_with_the_order(
    uow: OpenWork, seed: Seed
) -> None:
    promo, ann, bob = await seed.promo(), await seed.user(), await seed.user()
    product = await seed.product()
    first = await seed.redeemed(promo, ann, product)
    await seed.redeemed(promo, ann, product)
    await seed.redeemed(promo, bob, product)

    async with uow() as work:
        assert await work.promo_codes.uses_by_customer(promo.id, ann.id) == 2
        assert await work.promo_codes.uses_by_customer(promo.id, bob.id) == 1
        assert await work.promo_codes.uses_by_customer(a_promo().id, ann.id) == 0
        assert await work.redemptions.release(first.id)
        assert not await work.redemptions.release(first.id)
        await work.commit()

    async with uow() as work:
        assert await work.promo_codes.uses_by_customer(promo.id, ann.id) == 1
        assert await work.promo_codes.get(promo.id) == replace(promo, times_used=2)


async def test_an_order_without_a_promo_releases_nothing(uow: OpenWork, seed: Seed) -> None:
    order = await seed.order(await seed.user(), (await seed.product(), 1))

    async with uow() as work:
        assert not await work.redemptions.release(order.id)


async def test_a_claim_counts_a_use_only_under_max_uses(uow: OpenWork, seed: Seed) -> None:
    limited, unlimited = await seed.promo(max_uses=2), await seed.promo()

    async with uow() as work:
        claims = [await work.redemptions.claim(limited.id) for _ in range(3)]
        assert all([await work.redemptions.claim(unlimited.id) for _ in range(3)])
        assert not await work.redemptions.claim(a_promo().id)
        await work.commit()

    assert claims == [True, True, False]
    async with uow() as work:
        assert await work.promo_codes.get(limited.id) == replace(limited, times_used=2)
        assert await work.promo_codes.get(unlimited.id) == replace(unlimited, times_used=3)


async def test_a_claim_is_undone_with_its_unit_of_work(uow: OpenWork, seed: Seed) -> None:
    promo = await seed.promo(max_uses=1)
    ann, product = await seed.user(), await seed.product()

    async with uow() as work:
        assert await work.redemptions.claim(promo.id)
        order = an_order(ann, (product, 1), promo_code_id=promo.id, created_at=NOW)
        await work.orders.add(order)
        await work.redemptions.record(promo.id, ann.id, order.id, NOW + timedelta(seconds=1))
        await work.rollback()

    async with uow() as work:
        assert await work.promo_codes.get(promo.id) == promo
        assert await work.promo_codes.uses_by_customer(promo.id, ann.id) == 0
