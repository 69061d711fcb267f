"""AddressRepository."""

from __future__ import annotations

from dataclasses import replace

from tests.ports.places import a_hold, a_slot, a_zone, an_address, take_places
from tests.ports.shop import OpenWork, Seed, at


async def test_a_customer_sees_only_their_own_addresses(uow: OpenWork, seed: Seed) -> None:
    ann, bob = await seed.user(), await seed.user()
    home = an_address(ann, is_default=True, label="Home", line2="Flat 2", phone="+44 20 7946 0000")
    async with uow() as work:
        await work.addresses.add(home)
        await work.commit()

    async with uow() as work:
        assert await work.addresses.get(ann.id, home.id) == home
        assert await work.addresses.get(bob.id, home.id) is None
        assert await work.addresses.of_customer(bob.id) == []
        assert (await work.addresses.count(ann.id), await work.addresses.count(bob.id)) == (1, 0)
        assert not await work.addresses.delete(bob.id, home.id)
        await work.addresses.update(replace(home, user_id=bob.id, city="Paris"))
        await work.commit()
    async with uow() as work:
        assert await work.addresses.get(ann.id, home.id) == home


async def test_the_default_comes_first_then_the_oldest(uow: OpenWork, seed: Seed) -> None:
    ann = await seed.user()
    first = an_address(ann, is_default=True, created_at=at(0))
    second = an_address(ann, created_at=at(1))
    third = an_address(ann, is_default=True, created_at=at(2))
    async with uow() as work:
        for address in (first, second, third):
            await work.addresses.add(address)
        await work.commit()

    async with uow() as work:
        listed = await work.addresses.of_customer(ann.id)
    assert [(a.id, a.is_default) for a in listed] == [
        (third.id, True),
        (first.id, False),
        (second.id, False),
    ]


async def test_an_update_saves_the_address_and_may_move_the_default(
    uow: OpenWork, seed: Seed
) -> None:
    ann = await seed.user()
    home, work_address = an_address(ann, is_default=True), an_address(ann, created_at=at(1))
    async with uow() as work:
        await work.addresses.add(home)
        await work.addresses.add(work_address)
        await work.commit()
    moved = replace(work_address, line1="1 Office Park", postal_code="E1 6AN", is_default=True)

    async with uow() as work:
        await work.addresses.update(moved)
        await work.commit()
    async with uow() as work:
        assert await work.addresses.of_customer(ann.id) == [moved, replace(home, is_default=False)]


async def test_deleting_the_default_makes_the_oldest_left_the_default(
    uow: OpenWork, seed: Seed
) -> None:
    ann = await seed.user()
    home = an_address(ann, created_at=at(0))
    older, newer = an_address(ann, created_at=at(1)), an_address(ann, created_at=at(2))
    newest = an_address(ann, created_at=at(3), is_default=True)
    async with uow() as work:
        for address in (home, older, newer, newest):
            await work.addresses.add(address)
        assert await work.addresses.delete(ann.id, home.id)  # not the default: nothing moves
        assert await work.addresses.delete(ann.id, newest.id)
        await work.commit()

    async with uow() as work:
        listed = await work.addresses.of_customer(ann.id)
        assert [(a.id, a.is_default) for a in listed] == [(older.id, True), (newer.id, False)]
        assert not await work.addresses.delete(ann.id, newest.id)


async def test_deleting_an_address_lets_go_of_the_hold_delivering_there(
    uow: OpenWork, seed: Seed
) -> None:
    ann = await seed.user()
    zone, home = a_zone(), an_address(ann, is_default=True)
    slot = a_slot(zone)
    async with uow() as work:
        await work.delivery_zones.add(zone)
        await work.slots.add(slot)
        await work.addresses.add(home)
        await work.commit()
    await take_places(uow, slot, held=[a_hold(ann, slot, at(60), home)])

    async with uow() as work:
        assert await work.addresses.delete(ann.id, home.id)
        await work.commit()
    async with uow() as work:
        load = await work.slots.load(slot.id, at(0))
    assert load is not None and load.held == 0
