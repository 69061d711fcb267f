"""Driver errors leave the SQL adapters as the shop's errors, at the statement that failed
(adapters/sql/errors.py), whether SQLAlchemy or a hand-written statement sent it."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from uuid import UUID, uuid4

import pytest

from grocery.adapters.sql.errors import MAPPED_CONSTRAINTS
from grocery.adapters.sql.uow import SqlUnitOfWork
from grocery.core.errors import AlreadyExists, InUse, Invalid
from grocery.core.identity import Role, User
from grocery.entrypoints.wiring import Adapters
from tests.integration.checkout_shop import Shop
from tests.integration.conftest import SignedInUser

NOW = datetime(2026, 11, 25, tzinfo=UTC)


async def test_every_constraint_the_map_names_is_in_the_migrated_database(
    adapters: Adapters,
) -> None:
    rows = await adapters.database.fetch(
        "SELECT conname FROM pg_constraint WHERE connamespace = 'public'::regnamespace"
        " UNION SELECT indexname FROM pg_indexes WHERE schemaname = 'public'"
    )
    assert {row[0] for row in rows} >= MAPPED_CONSTRAINTS


async def test_a_taken_username_is_refused_at_the_repository_call(
    adapters: Adapters, ann: SignedInUser
) -> None:
    twin = User(
        id=uuid4(),
        email=f"{uuid4().hex[:12]}@example.com",
        username=ann.username.upper(),  # usernames are unique ignoring case
        password_hash="x",
        role=Role.CUSTOMER,
        is_active=True,
        created_at=NOW,
    )
    async with SqlUnitOfWork(adapters.database) as uow:
        with pytest.raises(AlreadyExists) as refused:
            await uow.users.add(twin)
        await uow.rollback()
    assert refused.value.errors == [{"field": "username", "message": "is already taken"}]

    async with SqlUnitOfWork(adapters.database) as uow:
        with pytest.raises(AlreadyExists) as refused:
            await uow.users.add(replace(twin, username=f"x{uuid4().hex[:12]}", email=ann.email))
        await uow.rollback()
    assert refused.value.errors == [{"field": "email", "message": "is already taken"}]


async def test_deleting_a_category_with_products_is_in_use(adapters: Adapters, shop: Shop) -> None:
    product = await shop.product()
    async with SqlUnitOfWork(adapters.database) as uow:
        with pytest.raises(InUse) as refused:
            await uow.categories.delete(UUID(product["category"]["id"]))
        await uow.rollback()
    assert refused.value.code == "category_not_empty"


async def test_a_nul_character_in_a_hand_written_statement_is_invalid(
    adapters: Adapters, ann: SignedInUser
) -> None:
    async with SqlUnitOfWork(adapters.database) as uow:
        with pytest.raises(Invalid) as refused:
            await uow.idempotency_keys.claim(ann.id, "nul\x00key", "hash", NOW)
        await uow.rollback()
    assert refused.value.detail == "Text may not contain NUL characters."
