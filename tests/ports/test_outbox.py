"""Outbox."""

from __future__ import annotations

from dataclasses import replace

from grocery.core.alerts import OutboxMessage
from tests.ports.shop import NOW, OpenWork, a_message, at


async def _add(uow: OpenWork, *messages: OutboxMessage) -> None:
    async with uow() as work:
        for message in messages:
            await work.outbox.add(message)
        await work.commit()


async def test_due_messages_are_claimed_soonest_first_up_to_the_limit(
    uow: OpenWork,
) -> None:
    later, soonest, exactly_now, not_yet = (
        a_message(at(-1)),
        a_message(at(-5)),
        a_message(NOW),
        a_message(at(1)),
    )
    await _add(uow, later, not_yet, exactly_now, soonest)

    async with uow() as work:
        claimed = await work.outbox.claim_due(NOW, limit=5)
        first_two = await work.outbox.claim_due(NOW, limit=2)

    assert claimed == [soonest, later, exactly_now]
    assert first_two == [soonest, later]


async def test_a_delivered_message_is_not_claimed_again(uow: OpenWork) -> None:
    delivered, waiting = a_message(at(-2)), a_message(at(-1))
    await _add(uow, delivered, waiting)

    async with uow() as work:
        await work.outbox.delivered(delivered.id, NOW)
        await work.commit()

    async with uow() as work:
        assert await work.outbox.claim_due(at(60), limit=5) == [waiting]


async def test_a_failed_attempt_is_counted_and_tried_again_later(uow: OpenWork) -> None:
    message = a_message(at(-1))
    await _add(uow, message)

    async with uow() as work:
        await work.outbox.retry_later(message.id, at=at(10), error="receiver said 503")
        await work.commit()

    async with uow() as work:
        assert await work.outbox.claim_due(at(9), limit=5) == []
        retried = await work.outbox.claim_due(at(10), limit=5)
        await work.outbox.retry_later(message.id, at=at(20), error="x" * 5000)
        await work.commit()
    assert retried == [replace(message, attempts=1, next_attempt_at=at(10))]

    async with uow() as work:
        await work.outbox.delivered(message.id, at(21))
        await work.commit()
    async with uow() as work:
        assert await work.outbox.claim_due(at(60), limit=5) == []
