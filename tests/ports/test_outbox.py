"""Outbox."""

from __future__ import annotations

from dataclasses import replace

from grocery.core.outbox import OutboxMessage
from tests.ports.shop import NOW, OpenWork, a_message, at

EVERY_KIND = ("stock.low", "mail")


async def _add(uow: OpenWork, *messages: OutboxMessage) -> None:
    async with uow() as work:
        for message in messages:
            await work.outbox.add(message)
        await work.commit()


async def test_due_messages_are_claimed_soonest_first_up_to_the_limit(uow: OpenWork) -> None:
    later, soonest, exactly_now = a_message(at(-1)), a_message(at(-5)), a_message(NOW)
    await _add(uow, later, a_message(at(1)), exactly_now, soonest)

    async with uow() as work:
        claimed = await work.outbox.claim_due(NOW, 5, kinds=EVERY_KIND)
        first_two = await work.outbox.claim_due(NOW, 2, kinds=EVERY_KIND)

    assert claimed == [soonest, later, exactly_now]
    assert first_two == [soonest, later]


async def test_only_messages_of_the_kinds_asked_are_claimed(uow: OpenWork) -> None:
    alert, mail = a_message(at(-2)), a_message(at(-1), kind="mail")
    await _add(uow, alert, mail)

    async with uow() as work:
        mails = await work.outbox.claim_due(NOW, 5, kinds=["mail"])
        alerts = await work.outbox.claim_due(NOW, 5, kinds={"stock.low"})
        none = await work.outbox.claim_due(NOW, 5, kinds=[])

    assert (mails, alerts, none) == ([mail], [alert], [])


async def test_a_delivered_message_is_not_claimed_again(uow: OpenWork) -> None:
    delivered, waiting = a_message(at(-2)), a_message(at(-1))
    await _add(uow, delivered, waiting)

    async with uow() as work:
        await work.outbox.delivered(delivered.id, NOW)
        await work.commit()

    async with uow() as work:
        assert await work.outbox.claim_due(at(60), 5, kinds=EVERY_KIND) == [waiting]


async def test_a_failed_attempt_is_counted_and_tried_again_later(uow: OpenWork) -> None:
    message = a_message(at(-1))
    await _add(uow, message)

    async with uow() as work:
        await work.outbox.retry_later(message.id, at=at(10), error="receiver said 503")
        await work.commit()

    async with uow() as work:
        assert await work.outbox.claim_due(at(9), 5, kinds=EVERY_KIND) == []
        retried = await work.outbox.claim_due(at(10), 5, kinds=EVERY_KIND)
        await work.outbox.retry_later(message.id, at=at(20), error="x" * 5000)
        await work.commit()
    assert retried == [replace(message, attempts=1, next_attempt_at=at(10))]

    async with uow() as work:
        again = await work.outbox.claim_due(at(20), 5, kinds=EVERY_KIND)
        await work.outbox.delivered(message.id, at(21))
        await work.commit()
    assert again == [replace(message, attempts=2, next_attempt_at=at(20))]
    async with uow() as work:
        assert await work.outbox.claim_due(at(60), 5, kinds=EVERY_KIND) == []


async def test_a_message_given_up_is_never_claimed_again(uow: OpenWork) -> None:
    doomed, other = a_message(at(-2), kind="mail"), a_message(at(-1), kind="mail")
    await _add(uow, doomed, other)

    async with uow() as work:
        await work.outbox.given_up(doomed.id, at=NOW, error="550 no such mailbox")
        await work.commit()

    async with uow() as work:
        assert await work.outbox.claim_due(at(60), 5, kinds=EVERY_KIND) == [other]
