"""Hand-written statements (SessionSql) run on the unit of work's own connection and inside its
transaction, beside the SQLAlchemy ones: one commit keeps both, one rollback undoes both."""

from __future__ import annotations

from datetime import UTC, datetime
from uuid import UUID

from grocery.adapters.sql.uow import SqlUnitOfWork
from grocery.entrypoints.app import Adapters
from tests.integration.checkout_shop import Shop
from tests.integration.conftest import SignedInUser

NOW = datetime(2026, 11, 25, tzinfo=UTC)


async def test_a_rollback_undoes_both_kinds_of_statement(
    adapters: Adapters, shop: Shop, ann: SignedInUser
) -> None:
    apples = UUID((await shop.product())["id"])
    async with SqlUnitOfWork(adapters.database) as uow:
        added = await uow.cart.add(ann.id, apples, 2, at=NOW, room=10)  # hand-written
        assert added is not None and added.created
        assert await uow.cart.quantity_of(ann.id, apples) == 2  # SQLAlchemy sees it
        await uow.cart.set_quantity(ann.id, apples, 3)  # SQLAlchemy
        entries, shelf = await uow.shelf.in_cart(ann.id)
        assert [entry.quantity for entry in entries] == [3]
        assert shelf[apples].product_id == apples
        await uow.rollback()

    async with SqlUnitOfWork(adapters.database) as uow:
        assert await uow.shelf.in_cart(ann.id) == ([], {})


async def test_a_commit_keeps_both_kinds_of_statement(
    adapters: Adapters, shop: Shop, ann: SignedInUser
) -> None:
    apples = UUID((await shop.product())["id"])
    async with SqlUnitOfWork(adapters.database) as uow:
        await uow.cart.set_promo(ann.id, None)  # SQLAlchemy first, hand-written after
        await uow.cart.add(ann.id, apples, 2, at=NOW, room=10)
        await uow.commit()

    async with SqlUnitOfWork(adapters.database) as uow:
        entries, _ = await uow.shelf.in_cart(ann.id)
        assert [entry.quantity for entry in entries] == [2]
        assert await uow.cart.promo_id(ann.id) is None
        await uow.cart.empty(ann.id)
        await uow.commit()
