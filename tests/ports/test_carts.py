"""ProductShelf and CartRepository."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal
from uuid import UUID

from grocery.core.cart import AddedLine, CartEntry, ShelfItem, TakenCart
from grocery.core.catalog import Product, Unit
from grocery.core.substitutions import NO_PREFERENCE, Substitution, SubstitutionChoice
from grocery.core.weights import SoldBy
from tests.ports.shop import NOW, OpenWork, Seed, a_category, a_product, at


def _on_shelf(product: Product, *, available: bool = True) -> ShelfItem:
    return ShelfItem(
        product_id=product.id,
        name=product.name,
        slug=product.slug,
        unit_price=product.price,
        stock=product.stock,
        category_id=product.category_id,
        available=available,
    )


def _entries(*lines: tuple[Product, int]) -> list[CartEntry]:
    return [CartEntry(product_id=product.id, quantity=quantity) for product, quantity in lines]


async def _fill(uow: OpenWork, user_id: UUID, *lines: tuple[Product, int]) -> None:
    """Each line added a minute after the one before."""
    async with uow() as work:
        for minute, (product, quantity) in enumerate(lines):
            await work.cart.add(user_id, product.id, quantity, at=at(minute), room=99)
        await work.commit()


# --- the shelf ----------------------------------------------------------------


async def test_the_shelf_gives_archived_products_as_unavailable_and_leaves_out_unknown_ones(
    uow: OpenWork, seed: Seed
) -> None:
    fresh = await seed.product()
    archived = await seed.archived(await seed.product())
    unknown = a_product(a_category())

    async with uow() as work:
        shelf = await work.shelf.for_cart([fresh.id, archived.id, unknown.id])
        assert await work.shelf.for_cart([]) == {}

    assert shelf == {fresh.id: _on_shelf(fresh), archived.id: _on_shelf(archived, available=False)}


async def test_a_cart_is_read_oldest_line_first_with_its_promo_and_an_extra_product(
    uow: OpenWork, seed: Seed
) -> None:
    ann, bob = await seed.user(), await seed.user()
    apples, pears, plums = await seed.product(), await seed.product(), await seed.product()
    promo = await seed.promo()
    await _fill(uow, ann.id, (pears, 2), (apples, 1))
    await _fill(uow, bob.id, (plums, 1))
    async with uow() as work:
        await work.cart.set_promo(ann.id, promo.id)
        await work.commit()

    async with uow() as work:
        cart = await work.shelf.in_cart(ann.id, also=plums.id)
        plain = await work.shelf.in_cart(ann.id)
        empty = await work.shelf.in_cart((await seed.user()).id)

    assert cart.entries == _entries((pears, 2), (apples, 1))
    assert cart.shelf == {p.id: _on_shelf(p) for p in (pears, apples, plums)}
    assert cart.promo_id == promo.id
    assert plain.shelf.keys() == {pears.id, apples.id}
    assert (empty.entries, empty.shelf, empty.promo_id) == ([], {}, None)


async def test_lines_are_oldest_first_by_when_they_were_added(uow: OpenWork, seed: Seed) -> None:
    ann = await seed.user()
    apples, pears = await seed.product(), await seed.product()
    async with uow() as work:
        await work.cart.add(ann.id, apples.id, 1, at=at(5), room=9)
        await work.cart.add(ann.id, pears.id, 1, at=at(1), room=9)
        await work.commit()

    async with uow() as work:
        assert (await work.shelf.in_cart(ann.id)).entries == _entries((pears, 1), (apples, 1))
        taken = await work.cart.take_all(ann.id)
    assert taken.entries == _entries((pears, 1), (apples, 1))


# --- carts --------------------------------------------------------------------


async def test_adding_makes_a_line_then_grows_it(uow: OpenWork, seed: Seed) -> None:
    ann, apples = await seed.user(), await seed.product()

    async with uow() as work:
        made = await work.cart.add(ann.id, apples.id, 2, at=NOW, room=5)
        grown = await work.cart.add(ann.id, apples.id, 3, at=at(1), room=5)
        await work.commit()

    assert made == AddedLine(quantity=2, created=True)
    assert grown == AddedLine(quantity=5, created=False)
    async with uow() as work:
        assert (await work.shelf.in_cart(ann.id)).entries == _entries((apples, 5))


async def test_adding_beyond_the_room_is_refused_and_changes_nothing(
    uow: OpenWork, seed: Seed
) -> None:
    ann, apples, pears = await seed.user(), await seed.product(), await seed.product()
    await _fill(uow, ann.id, (apples, 4))

    async with uow() as work:
        assert await work.cart.add(ann.id, apples.id, 2, at=at(1), room=5) is None
        assert await work.cart.add(ann.id, pears.id, 6, at=at(1), room=5) is None
        await work.commit()

    async with uow() as work:
        assert (await work.shelf.in_cart(ann.id)).entries == _entries((apples, 4))


async def test_a_line_is_set_and_removed_only_when_it_is_there(uow: OpenWork, seed: Seed) -> None:
    ann, apples, pears = await seed.user(), await seed.product(), await seed.product()
    await _fill(uow, ann.id, (apples, 1), (pears, 1))

    async with uow() as work:
        assert await work.cart.set_quantity(ann.id, apples.id, 7)
        assert not await work.cart.set_quantity(ann.id, a_product(a_category()).id, 7)
        assert await work.cart.remove(ann.id, pears.id)
        assert not await work.cart.remove(ann.id, pears.id)
        await work.commit()

    async with uow() as work:
        assert (await work.shelf.in_cart(ann.id)).entries == _entries((apples, 7))


async def test_emptying_a_cart_drops_its_lines_and_promo_and_no_one_elses(
    uow: OpenWork, seed: Seed
) -> None:
    ann, bob, apples = await seed.user(), await seed.user(), await seed.product()
    promo = await seed.promo()
    await _fill(uow, ann.id, (apples, 1))
    await _fill(uow, bob.id, (apples, 2))
    async with uow() as work:
        for user in (ann, bob):
            await work.cart.set_promo(user.id, promo.id)
        await work.cart.empty(ann.id)
        await work.commit()

    async with uow() as work:
        anns, bobs = await work.shelf.in_cart(ann.id), await work.shelf.in_cart(bob.id)
    assert (anns.entries, anns.promo_id) == ([], None)
    assert (bobs.entries, bobs.promo_id) == (_entries((apples, 2)), promo.id)


async def test_taking_a_cart_takes_its_lines_and_promo_and_leaves_it_empty(
    uow: OpenWork, seed: Seed
) -> None:
    ann, apples, pears = await seed.user(), await seed.product(), await seed.product()
    promo = await seed.promo()
    await _fill(uow, ann.id, (pears, 3), (apples, 1))
    async with uow() as work:
        await work.cart.set_promo(ann.id, promo.id)
        await work.commit()

    async with uow() as work:
        taken = await work.cart.take_all(ann.id)
        await work.commit()

    assert taken == TakenCart(entries=_entries((pears, 3), (apples, 1)), promo_id=promo.id)
    async with uow() as work:
        left = await work.shelf.in_cart(ann.id)
    assert (left.entries, left.promo_id) == ([], None)


async def test_a_cart_taken_in_a_rolled_back_unit_of_work_is_still_there(
    uow: OpenWork, seed: Seed
) -> None:
    ann, apples = await seed.user(), await seed.product()
    await _fill(uow, ann.id, (apples, 2))

    async with uow() as work:
        assert (await work.cart.take_all(ann.id)).entries == _entries((apples, 2))
        await work.rollback()

    async with uow() as work:
        assert (await work.shelf.in_cart(ann.id)).entries == _entries((apples, 2))


async def test_a_promo_is_applied_changed_and_taken_off(uow: OpenWork, seed: Seed) -> None:
    ann, first, second = await seed.user(), await seed.promo(), await seed.promo()

    async with uow() as work:
        await work.cart.set_promo(ann.id, first.id)
        await work.cart.set_promo(ann.id, second.id)
        assert (await work.shelf.in_cart(ann.id)).promo_id == second.id
        await work.cart.set_promo(ann.id, None)
        await work.commit()

    async with uow() as work:
        assert (await work.shelf.in_cart(ann.id)).promo_id is None


async def test_taking_a_cart_without_lines_answers_no_promo_and_drops_it(
    uow: OpenWork, seed: Seed
) -> None:
    ann, promo = await seed.user(), await seed.promo()
    async with uow() as work:
        await work.cart.set_promo(ann.id, promo.id)
        await work.commit()

    async with uow() as work:
        taken = await work.cart.take_all(ann.id)
        await work.commit()

    assert taken == TakenCart(entries=[], promo_id=None)
    async with uow() as work:
        assert (await work.shelf.in_cart(ann.id)).promo_id is None


async def test_a_lines_substitution_choice_is_set_kept_and_taken_with_it(
    uow: OpenWork, seed: Seed
) -> None:
    ann, apples, pears = await seed.user(), await seed.product(), await seed.product()
    await _fill(uow, ann.id, (apples, 1), (pears, 2))
    choice = SubstitutionChoice(Substitution.ALLOW, pears.id)

    async with uow() as work:
        assert await work.cart.set_choice(ann.id, apples.id, choice)
        assert not await work.cart.set_choice(ann.id, a_product(a_category()).id, choice)
        await work.commit()
    async with uow() as work:
        await work.cart.add(ann.id, apples.id, 2, at=at(5), room=99)  # grows, keeps its choice
        contents = await work.shelf.in_cart(ann.id)
        taken = await work.cart.take_all(ann.id)

    wanted = [
        CartEntry(product_id=apples.id, quantity=3, choice=choice),
        CartEntry(product_id=pears.id, quantity=2, choice=NO_PREFERENCE),
    ]
    assert contents.entries == wanted
    assert taken.entries == wanted


async def test_the_shelf_gives_a_weighed_products_step(uow: OpenWork, seed: Seed) -> None:
    cheese = await seed.product(
        price=Decimal("13.99"), unit=Unit.KG, sold_by=SoldBy.WEIGHT, step_kg=Decimal("0.250")
    )

    async with uow() as work:
        item = (await work.shelf.for_cart([cheese.id]))[cheese.id]

    assert item == replace(_on_shelf(cheese), step_kg=Decimal("0.250"))
    assert item.price_of_one == Decimal("3.50")
