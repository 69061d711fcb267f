"""RestockNotices: notify-me requests are kept once, withdrawn, and taken once with the
wishlisters of the product; each active customer comes once."""

from __future__ import annotations

from grocery.core.identity import Role
from tests.ports.shop import OpenWork, Seed, at


async def test_a_request_is_kept_once_and_withdrawn(uow: OpenWork, seed: Seed) -> None:
    ann, oats = await seed.user(), await seed.product(stock=0)

    async with uow() as work:
        first = await work.restock_notices.ask(ann.id, oats.id, at(0))
        again = await work.restock_notices.ask(ann.id, oats.id, at(1))
        await work.commit()
    async with uow() as work:
        withdrawn = await work.restock_notices.withdraw(ann.id, oats.id)
        withdrawn_again = await work.restock_notices.withdraw(ann.id, oats.id)
        await work.commit()

    assert (first, again, withdrawn, withdrawn_again) == (True, False, True, False)


async def test_the_waiting_are_taken_once_with_the_wishlisters(uow: OpenWork, seed: Seed) -> None:
    ann, bob, cem, dan = [await seed.user() for _ in range(4)]
    oats, rye = await seed.product(stock=0), await seed.product(stock=0)
    async with uow() as work:
        await work.restock_notices.ask(ann.id, oats.id, at(0))
        await work.restock_notices.ask(cem.id, oats.id, at(0))
        await work.restock_notices.ask(dan.id, oats.id, at(0))
        await work.restock_notices.ask(ann.id, rye.id, at(0))
        await work.wishlist.add(bob.id, oats.id, at(0))
        await work.wishlist.add(cem.id, oats.id, at(0))
        await work.users.set_access(dan.id, role=Role.CUSTOMER, is_active=False)
        await work.commit()

    async with uow() as work:
        first = await work.restock_notices.take_waiting(oats.id)
        second = await work.restock_notices.take_waiting(oats.id)
        await work.commit()

    assert sorted(w.user_id for w in first) == sorted([ann.id, bob.id, cem.id])
    assert (ann.email, ann.username) in {(w.email, w.username) for w in first}
    # The wishlists stay; the requests ended.
    assert sorted(w.user_id for w in second) == sorted([bob.id, cem.id])
    async with uow() as work:
        assert [w.user_id for w in await work.restock_notices.take_waiting(rye.id)] == [ann.id]
