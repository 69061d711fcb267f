"""GuestCartRepository, and the cart's lines as a unit of work for guests addresses them."""

from __future__ import annotations

from uuid import UUID

from grocery.core.cart import CartEntry, TakenCart
from grocery.core.ids import new_id
from grocery.core.substitutions import Substitution, SubstitutionChoice
from tests.ports.shop import OpenWork, Seed, at

IDLE_SINCE = at(-60)


async def _open(uow: OpenWork, token_hash: str, minute: float = 0) -> UUID:
    cart_id = new_id()
    async with uow() as work:
        await work.guest_carts.open(cart_id, token_hash, at(minute))
        await work.commit()
    return cart_id


async def test_a_guest_cart_is_found_by_its_tokens_hash_and_marked_used(uow: OpenWork) -> None:
    ann, bob = await _open(uow, "hash-ann"), await _open(uow, "hash-bob")

    async with uow() as work:
        found = await work.guest_carts.find("hash-ann", at=at(5), idle_since=IDLE_SINCE)
        unknown = await work.guest_carts.find("hash-eve", at=at(5), idle_since=IDLE_SINCE)
        await work.commit()
    async with uow() as work:
        # Used at minute 5: still live when idle means "not used since minute 1".
        again = await work.guest_carts.find("hash-ann", at=at(6), idle_since=at(1))
        bobs = await work.guest_carts.find("hash-bob", at=at(6), idle_since=at(1))

    assert (found, unknown, again, bobs) == (ann, None, ann, None)
    assert bob != ann


async def test_marking_a_cart_used_never_moves_its_time_back(uow: OpenWork) -> None:
    cart = await _open(uow, "hash", minute=10)

    async with uow() as work:
        assert await work.guest_carts.find("hash", at=at(3), idle_since=IDLE_SINCE) == cart
        await work.commit()
    async with uow() as work:
        assert await work.guest_carts.find("hash", at=at(11), idle_since=at(9)) == cart


async def test_a_guest_carts_lines_are_its_own(
    uow: OpenWork, guest_uow: OpenWork, seed: Seed
) -> None:
    apples, pears = await seed.product(), await seed.product()
    promo = await seed.promo()
    ann = await seed.user()
    guest = await _open(uow, "hash")
    async with uow() as work:
        await work.cart.add(ann.id, pears.id, 5, at=at(0), room=99)
        await work.commit()

    async with guest_uow() as work:
        added = await work.cart.add(guest, apples.id, 2, at=at(1), room=99)
        await work.cart.add(guest, pears.id, 1, at=at(2), room=99)
        assert await work.cart.set_quantity(guest, pears.id, 3)
        assert await work.cart.set_choice(guest, apples.id, SubstitutionChoice(Substitution.NONE))
        await work.cart.set_promo(guest, promo.id)
        await work.commit()
    async with guest_uow() as work:
        contents = await work.shelf.in_cart(guest, also=pears.id)
    async with uow() as work:
        customers = await work.shelf.in_cart(ann.id)

    assert added is not None and added.created
    assert contents.entries == [
        CartEntry(product_id=apples.id, quantity=2, choice=SubstitutionChoice(Substitution.NONE)),
        CartEntry(product_id=pears.id, quantity=3),
    ]
    assert contents.promo_id == promo.id
    assert customers.entries == [CartEntry(product_id=pears.id, quantity=5)]


async def test_emptying_a_guest_cart_keeps_the_cart(
    uow: OpenWork, guest_uow: OpenWork, seed: Seed
) -> None:
    apples, promo = await seed.product(), await seed.promo()
    guest = await _open(uow, "hash")
    async with guest_uow() as work:
        await work.cart.add(guest, apples.id, 2, at=at(1), room=99)
        await work.cart.set_promo(guest, promo.id)
        await work.commit()

    async with guest_uow() as work:
        taken = await work.cart.take_all(guest)
        await work.commit()
    async with guest_uow() as work:
        left = await work.shelf.in_cart(guest)
    async with uow() as work:
        found = await work.guest_carts.find("hash", at=at(2), idle_since=IDLE_SINCE)

    assert taken == TakenCart(
        entries=[CartEntry(product_id=apples.id, quantity=2)], promo_id=promo.id
    )
    assert (left.entries, left.promo_id, found) == ([], None, guest)


async def test_taking_a_guest_cart_gives_its_lines_and_code_once(
    uow: OpenWork, guest_uow: OpenWork, seed: Seed
) -> None:
    apples, pears, promo = await seed.product(), await seed.product(), await seed.promo()
    guest = await _open(uow, "hash")
    other = await _open(uow, "other")
    async with guest_uow() as work:
        await work.cart.add(guest, pears.id, 1, at=at(2), room=99)
        await work.cart.add(guest, apples.id, 4, at=at(1), room=99)
        await work.cart.add(other, apples.id, 1, at=at(1), room=99)
        await work.cart.set_promo(guest, promo.id)
        await work.commit()

    async with uow() as work:
        taken = await work.guest_carts.take("hash", idle_since=IDLE_SINCE)
        again = await work.guest_carts.take("hash", idle_since=IDLE_SINCE)
        await work.commit()
    async with uow() as work:
        found = await work.guest_carts.find("hash", at=at(3), idle_since=IDLE_SINCE)
    async with guest_uow() as work:
        others = await work.shelf.in_cart(other)

    assert taken == TakenCart(
        entries=[
            CartEntry(product_id=apples.id, quantity=4),
            CartEntry(product_id=pears.id, quantity=1),
        ],
        promo_id=promo.id,
    )
    assert (again, found) == (None, None)
    assert others.entries == [CartEntry(product_id=apples.id, quantity=1)]


async def test_an_idle_or_unknown_cart_is_not_taken(uow: OpenWork) -> None:
    await _open(uow, "hash", minute=0)

    async with uow() as work:
        idle = await work.guest_carts.take("hash", idle_since=at(1))
        unknown = await work.guest_carts.take("other", idle_since=IDLE_SINCE)
        empty = await work.guest_carts.take("hash", idle_since=IDLE_SINCE)

    assert (idle, unknown) == (None, None)
    assert empty == TakenCart(entries=[], promo_id=None)
