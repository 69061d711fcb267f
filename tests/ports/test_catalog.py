"""CategoryRepository, ProductRepository and ProductImageRepository."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

import pytest

from grocery.core.errors import AlreadyExists, Conflict, Invalid, NotFound
from tests.ports.shop import (
    NOW,
    OpenWork,
    Seed,
    a_category,
    a_product,
    an_alert,
    an_image,
    ascending_ids,
    at,
)

# --- categories ---------------------------------------------------------------


async def test_a_category_is_found_by_id_or_slug_in_any_case(uow: OpenWork, seed: Seed) -> None:
    category = await seed.category(name="Fruit", slug="fruit")

    async with uow() as work:
        assert await work.categories.get(str(category.id)) == category
        assert await work.categories.get("fruit") == category
        assert await work.categories.get("FRUIT") == category
        assert await work.categories.get("vegetables") is None
        assert await work.categories.get(str(a_category().id)) is None


@pytest.mark.parametrize(
    ("field", "clash"),
    [("slug", {"slug": "fruit"}), ("name", {"name": "FRUIT"})],
)
async def test_a_category_slug_or_name_taken_is_refused_naming_the_field(
    uow: OpenWork, seed: Seed, field: str, clash: dict[str, str]
) -> None:
    await seed.category(name="Fruit", slug="fruit")
    newcomer = a_category(**clash)

    async with uow() as work:
        with pytest.raises(AlreadyExists) as refused:
            await work.categories.add(newcomer)
    assert refused.value.errors == [{"field": field, "message": "is already taken"}]

    async with uow() as work:
        assert await work.categories.get(str(newcomer.id)) is None


@pytest.mark.parametrize(
    ("field", "name", "slug"),
    [("slug", "Greens", "fruit"), ("name", "fruit", "greens")],
)
async def test_renaming_a_category_onto_another_is_refused(
    uow: OpenWork, seed: Seed, field: str, name: str, slug: str
) -> None:
    await seed.category(name="Fruit", slug="fruit")
    vegetables = await seed.category(name="Vegetables", slug="vegetables")

    async with uow() as work:
        with pytest.raises(AlreadyExists) as refused:
            await work.categories.update(replace(vegetables, name=name, slug=slug))
    assert refused.value.errors == [{"field": field, "message": "is already taken"}]

    async with uow() as work:
        assert await work.categories.get(str(vegetables.id)) == vegetables


async def test_a_category_keeps_its_own_name_and_slug_when_updated(
    uow: OpenWork, seed: Seed
) -> None:
    fruit = await seed.category(name="Fruit", slug="fruit")

    async with uow() as work:
        await work.categories.update(replace(fruit, name="FRUIT"))
        await work.commit()

    async with uow() as work:
        assert await work.categories.get("fruit") == replace(fruit, name="FRUIT")


async def test_an_empty_category_is_deleted(uow: OpenWork, seed: Seed) -> None:
    category = await seed.category()

    async with uow() as work:
        await work.categories.delete(category.id)
        await work.categories.delete(a_category().id)  # an unknown one: nothing to do
        await work.commit()

    async with uow() as work:
        assert await work.categories.get(str(category.id)) is None


async def test_a_category_with_an_archived_product_is_not_deleted(
    uow: OpenWork, seed: Seed
) -> None:
    category = await seed.category()
    await seed.archived(await seed.product(category))

    async with uow() as work:
        with pytest.raises(Conflict) as refused:
            await work.categories.delete(category.id)
    assert refused.value.code == "category_not_empty"

    async with uow() as work:
        assert await work.categories.get(str(category.id)) == category


async def test_a_category_a_promo_code_is_scoped_to_is_not_deleted(
    uow: OpenWork, seed: Seed
) -> None:
    category = await seed.category()
    await seed.promo(category_ids=frozenset({category.id}))

    async with uow() as work:
        with pytest.raises(Conflict) as refused:
            await work.categories.delete(category.id)
    assert refused.value.code == "category_not_empty"

    async with uow() as work:
        assert await work.categories.get(str(category.id)) == category


# --- products -----------------------------------------------------------------


async def test_a_product_is_stored_and_archived(uow: OpenWork, seed: Seed) -> None:
    product = await seed.product()

    async with uow() as work:
        assert await work.products.get(product.id) == product
        assert await work.products.get(product.id, for_update=True) == product
        assert await work.products.get(a_product(a_category()).id) is None
        await work.products.archive(product.id)
        await work.commit()

    async with uow() as work:
        assert await work.products.get(product.id) == replace(product, archived=True)


async def test_a_product_slug_taken_is_refused(uow: OpenWork, seed: Seed) -> None:
    taken = await seed.product()
    newcomer = a_product(a_category(id=taken.category_id), slug=taken.slug)

    async with uow() as work:
        with pytest.raises(AlreadyExists) as refused:
            await work.products.add(newcomer)
    assert refused.value.errors == [{"field": "slug", "message": "is already taken"}]

    async with uow() as work:
        assert await work.products.get(newcomer.id) is None


async def test_a_product_slug_taken_is_refused_on_update(uow: OpenWork, seed: Seed) -> None:
    taken = await seed.product()
    product = await seed.product()

    async with uow() as work:
        with pytest.raises(AlreadyExists) as refused:
            await work.products.update(replace(product, slug=taken.slug))
    assert refused.value.errors == [{"field": "slug", "message": "is already taken"}]


async def test_a_product_in_no_category_is_refused(uow: OpenWork, seed: Seed) -> None:
    product = await seed.product()
    homeless = a_product(a_category())

    async with uow() as work:
        with pytest.raises(Invalid) as refused:
            await work.products.add(homeless)
    assert refused.value.errors == [{"field": "category_id", "message": "no such category"}]

    async with uow() as work:
        with pytest.raises(Invalid):
            await work.products.update(replace(product, category_id=homeless.category_id))


async def test_an_update_saves_what_a_manager_edits_and_nothing_else(
    uow: OpenWork, seed: Seed
) -> None:
    product = await seed.product()
    moved_to = await seed.category()
    edited = replace(
        product,
        category_id=moved_to.id,
        name="Pears",
        slug="pears",
        description="Juicy.",
        price=Decimal("3.10"),
        stock=4,
        low_stock_threshold=1,
    )

    async with uow() as work:
        # What checkout and archiving keep is not the edit's to change.
        await work.products.update(replace(edited, units_sold=7, archived=True, created_at=at(5)))
        await work.commit()

    async with uow() as work:
        assert await work.products.get(product.id) == edited


async def test_a_product_is_deleted_with_its_images_cart_lines_and_wishes(
    uow: OpenWork, seed: Seed
) -> None:
    product, kept = await seed.product(), await seed.product()
    image = await seed.image(product)
    ann = await seed.user()
    async with uow() as work:
        await work.cart.add(ann.id, product.id, 1, at=NOW, room=5)
        await work.cart.add(ann.id, kept.id, 1, at=at(1), room=5)
        await work.wishlist.add(ann.id, product.id, NOW)
        await work.commit()

    async with uow() as work:
        assert await work.products.delete(product.id)
        await work.commit()

    async with uow() as work:
        assert await work.products.get(product.id) is None
        assert await work.product_images.get(product.id, image.id) is None
        assert [e.product_id for e in (await work.shelf.in_cart(ann.id)).entries] == [kept.id]
        assert await work.wishlist.get(ann.id, product.id) is None
        assert await work.wishlist.page(ann.id, after=None, limit=5) == []


async def test_a_product_with_an_open_alert_is_deleted_with_it(uow: OpenWork, seed: Seed) -> None:
    product = await seed.product()
    async with uow() as work:
        assert await work.low_stock_alerts.open(an_alert(product), product.name)
        await work.commit()

    async with uow() as work:
        assert await work.products.delete(product.id)
        await work.commit()

    async with uow() as work:
        assert await work.low_stock_alerts.page(status=None, before=None, limit=5) == []


async def test_an_ordered_product_is_not_deleted_and_the_work_goes_on(
    uow: OpenWork, seed: Seed
) -> None:
    product = await seed.product()
    await seed.order(await seed.user(), (product, 1))

    async with uow() as work:
        assert not await work.products.delete(product.id)
        # The refusal leaves the unit of work usable: the caller archives instead.
        await work.products.archive(product.id)
        await work.commit()

    async with uow() as work:
        stored = await work.products.get(product.id)
    assert stored is not None
    assert stored.archived


async def test_a_product_is_ever_ordered_once_an_order_mentions_it_even_cancelled(
    uow: OpenWork, seed: Seed
) -> None:
    ordered, never = await seed.product(), await seed.product()
    order = await seed.order(await seed.user(), (ordered, 2))

    async with uow() as work:
        assert await work.products.was_ever_ordered(ordered.id)
        assert not await work.products.was_ever_ordered(never.id)
        assert not await work.products.was_ever_ordered(a_product(a_category()).id)
        await work.orders.uncount_sold(order)  # a cancellation takes its units back
        await work.commit()

    async with uow() as work:
        product = await work.products.get(ordered.id)
        assert product is not None
        assert product.units_sold == 0
        assert await work.products.was_ever_ordered(ordered.id)


# --- images -------------------------------------------------------------------


async def test_images_are_listed_oldest_first_and_only_under_their_product(
    uow: OpenWork, seed: Seed
) -> None:
    product, other = await seed.product(), await seed.product()
    first, second = ascending_ids(2)
    later = await seed.image(product, id=second)
    earlier = await seed.image(product, id=first)

    async with uow() as work:
        assert await work.product_images.of_product(product.id) == [earlier, later]
        assert await work.product_images.of_product(other.id) == []
        assert await work.product_images.get(product.id, earlier.id) == earlier
        assert await work.product_images.get(other.id, earlier.id) is None
        await work.product_images.delete(earlier.id)
        await work.commit()

    async with uow() as work:
        assert await work.product_images.of_product(product.id) == [later]


async def test_an_image_of_a_missing_product_is_refused(uow: OpenWork) -> None:
    async with uow() as work:
        with pytest.raises(NotFound):
            await work.product_images.add(an_image(a_product(a_category())))
