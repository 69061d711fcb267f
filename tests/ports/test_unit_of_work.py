"""The UnitOfWork itself: what it commits is kept, what it doesn't is gone."""

from __future__ import annotations

import pytest

from tests.ports.shop import OpenWork, a_user


async def test_writes_not_committed_are_gone(uow: OpenWork) -> None:
    forgotten, rolled_back = a_user(), a_user()

    async with uow() as work:
        await work.users.add(forgotten)
    async with uow() as work:
        await work.users.add(rolled_back)
        await work.rollback()

    async with uow() as work:
        assert await work.users.get(forgotten.id) is None
        assert await work.users.get(rolled_back.id) is None


async def test_a_failed_use_case_keeps_nothing_it_wrote(uow: OpenWork) -> None:
    user = a_user()

    async def failing_use_case() -> None:
        async with uow() as work:
            await work.users.add(user)
            raise RuntimeError("the use case failed")

    with pytest.raises(RuntimeError):
        await failing_use_case()

    async with uow() as work:
        assert await work.users.get(user.id) is None


async def test_work_after_a_rollback_is_committed(uow: OpenWork) -> None:
    dropped, kept = a_user(), a_user()

    async with uow() as work:
        await work.users.add(dropped)
        await work.rollback()
        await work.users.add(kept)
        await work.commit()

    async with uow() as work:
        assert await work.users.get(dropped.id) is None
        assert await work.users.get(kept.id) == kept
