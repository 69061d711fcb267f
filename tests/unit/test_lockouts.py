"""Each server process knows the locked accounts from memory: a request costs a set lookup,
not a database read; the changes are followed in the background."""

from __future__ import annotations

import asyncio
from uuid import UUID, uuid4

import pytest

from grocery.core.errors import ServiceUnavailable
from grocery.core.ports.accounts import LockoutChanges
from grocery.entrypoints.http.lockouts import LockedAccounts


class FakeLockouts:
    """Changes as a list of (locked, unlocked) steps; a stamp is how many were read."""

    def __init__(self) -> None:
        self.steps: list[tuple[set[UUID], set[UUID]]] = []
        self.reads = 0
        self.down = False

    async def changes_since(self, stamp: str | None) -> LockoutChanges:
        self.reads += 1
        if self.down:
            raise ServiceUnavailable("down")
        seen = int(stamp or 0)
        locked: set[UUID] = set()
        unlocked: set[UUID] = set()
        for now_locked, now_unlocked in self.steps[seen:]:
            locked = (locked - now_unlocked) | now_locked
            unlocked = (unlocked - now_locked) | now_unlocked
        return LockoutChanges(frozenset(locked), frozenset(unlocked), str(len(self.steps)))


async def test_requests_read_memory_once_loaded() -> None:
    source, ann, bob = FakeLockouts(), uuid4(), uuid4()
    source.steps.append(({ann}, set()))
    lockouts = LockedAccounts(source)

    assert await lockouts.is_locked(ann)  # the first question loads them
    for _ in range(100):
        assert not await lockouts.is_locked(bob)
        assert await lockouts.is_locked(ann)

    assert source.reads == 1


async def test_catching_up_applies_locks_and_unlocks_in_order() -> None:
    source, ann, bob = FakeLockouts(), uuid4(), uuid4()
    lockouts = LockedAccounts(source)
    await lockouts.catch_up()

    source.steps += [({ann, bob}, set()), (set(), {ann})]
    await lockouts.catch_up()

    assert not await lockouts.is_locked(ann)
    assert await lockouts.is_locked(bob)


async def test_a_process_that_could_not_load_them_answers_503_not_a_guess() -> None:
    source = FakeLockouts()
    source.down = True
    lockouts = LockedAccounts(source)

    with pytest.raises(ServiceUnavailable):
        await lockouts.is_locked(uuid4())


async def test_the_follower_keeps_up_and_outlives_an_outage() -> None:
    source, ann = FakeLockouts(), uuid4()
    lockouts = LockedAccounts(source, every=0.01)
    async with lockouts.followed():
        await asyncio.sleep(0.05)
        source.down = True
        await asyncio.sleep(0.05)
        source.steps.append(({ann}, set()))
        source.down = False
        await asyncio.sleep(0.05)
        assert await lockouts.is_locked(ann)
