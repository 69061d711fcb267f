"""Back in stock on the in-memory adapters: which moves bring a product back, and the mail
watch_stock writes for those waiting."""

from __future__ import annotations

from datetime import UTC, datetime
from uuid import uuid4

import pytest

from grocery.adapters.memory.uow import MemoryStore, MemoryUnitOfWork
from grocery.core.alerts import StockMove
from grocery.core.identity import Role, User
from grocery.core.mail import MailKind, letter_from
from grocery.core.restock import came_back
from grocery.core.services.alerts import watch_stock

NOW = datetime(2030, 5, 1, 12, 0, tzinfo=UTC)


def move(before: int, after: int) -> StockMove:
    return StockMove(
        product_id=uuid4(), product_name="Oats", stock_before=before, stock_after=after, threshold=0
    )


@pytest.mark.parametrize(
    ("before", "after", "back"), [(0, 1, True), (0, 0, False), (1, 2, False), (3, 0, False)]
)
def test_only_a_move_from_none_to_some_brings_a_product_back(
    before: int, after: int, back: bool
) -> None:
    assert came_back(move(before, after)) is back


async def test_watch_stock_mails_each_waiting_customer_once_and_ends_the_requests() -> None:
    store = MemoryStore()
    ann, bob = (
        User(
            id=uuid4(),
            email=f"{name}@example.com",
            username=name,
            password_hash="x",
            role=Role.CUSTOMER,
            is_active=True,
            created_at=NOW,
        )
        for name in ("ann", "bob")
    )
    refill = move(0, 5)
    async with MemoryUnitOfWork(store) as uow:
        for user in (ann, bob):
            await uow.users.add(user)
        await uow.restock_notices.ask(ann.id, refill.product_id, NOW)
        await uow.wishlist.add(bob.id, refill.product_id, NOW)
        await uow.restock_notices.ask(bob.id, refill.product_id, NOW)
        await watch_stock(uow, [refill, move(2, 3)], NOW)
        await watch_stock(uow, [refill], NOW)  # the requests ended: bob's wishlist tells again
        await uow.commit()

    letters = [letter_from(message.payload) for message in store.outbox.messages.values()]
    assert sorted((letter.kind, letter.to) for letter in letters) == [
        (MailKind.BACK_IN_STOCK, "ann@example.com"),
        (MailKind.BACK_IN_STOCK, "bob@example.com"),
        (MailKind.BACK_IN_STOCK, "bob@example.com"),
    ]
    assert all(letter.facts == {"product_name": "Oats"} for letter in letters)
