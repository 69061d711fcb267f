"""Customers' mail through the outbox, on the in-memory adapters: each letter sent once with
its outbox id as the mail's, retried with backoff, given up when refused for good, sent again
(same Message-ID) only after a crash between its sending and its mark."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest

from grocery.adapters.mail.templates import MailTemplates
from grocery.adapters.memory.uow import MemoryStore, MemoryUnitOfWork
from grocery.core.alerts import STOCK_LOW
from grocery.core.errors import ServiceUnavailable
from grocery.core.ids import new_id
from grocery.core.mail import MAIL, Letter, Mail, MailKind, mail_message
from grocery.core.outbox import Backoff, OutboxMessage, Undeliverable
from grocery.core.services.mail import MailDelivery
from grocery.core.services.outbox import OutboxCourier

NOW = datetime(2030, 5, 1, 12, 0, tzinfo=UTC)


class Clock:
    def __init__(self) -> None:
        self.moment = NOW

    def now(self) -> datetime:
        return self.moment


class Mailbox:
    """A mailer that keeps what it sends; `failure` makes the next sends fail that way."""

    def __init__(self) -> None:
        self.sent: list[Mail] = []
        self.failure: BaseException | None = None
        self.crash_after_sending = False

    async def send(self, mail: Mail) -> None:
        if self.failure is not None:
            raise self.failure
        self.sent.append(mail)
        if self.crash_after_sending:  # the process dies before the mark is written
            self.crash_after_sending = False
            raise asyncio.CancelledError


class Setup:
    def __init__(self) -> None:
        self.store = MemoryStore()
        self.clock = Clock()
        self.mailbox = Mailbox()
        templates = MailTemplates(store_name="Corner Grocery", public_url="https://corner.example")
        self.courier = OutboxCourier(
            uow=self.uow,
            deliveries={MAIL: MailDelivery(templates, self.mailbox)},
            clock=self.clock,
            backoff=Backoff(first=timedelta(seconds=10), longest=timedelta(minutes=5)),
        )

    def uow(self) -> MemoryUnitOfWork:
        return MemoryUnitOfWork(self.store)

    async def post(self, *names: str) -> list[OutboxMessage]:
        messages = [
            mail_message(
                Letter(
                    kind=MailKind.PASSWORD_RESET,
                    to=f"{name}@example.com",
                    to_name=name,
                    facts={"token": f"token-of-{name}"},
                ),
                self.clock.now(),
            )
            for name in names
        ]
        async with self.uow() as uow:
            for message in messages:
                await uow.outbox.add(message)
            await uow.commit()
        return messages

    def outbox(self, message: OutboxMessage) -> OutboxMessage:
        return self.store.outbox.messages[message.id]


@pytest.fixture
def setup() -> Setup:
    return Setup()


async def test_each_letter_is_mailed_once_under_its_outbox_id(setup: Setup) -> None:
    ann, bob = await setup.post("ann", "bob")

    assert [await setup.courier.deliver_due(), await setup.courier.deliver_due()] == [2, 0]

    assert [(mail.id, mail.to) for mail in setup.mailbox.sent] == [
        (ann.id, "ann@example.com"),
        (bob.id, "bob@example.com"),
    ]
    assert "https://corner.example/reset-password?token=token-of-ann" in setup.mailbox.sent[0].text
    assert set(setup.store.outbox.delivered) == {ann.id, bob.id}


async def test_a_mail_server_that_is_down_is_tried_again_with_backoff(setup: Setup) -> None:
    [ann] = await setup.post("ann")
    setup.mailbox.failure = ServiceUnavailable("The mail server could not be reached.")

    assert await setup.courier.deliver_due() == 1  # fails: next try in 10 s
    setup.clock.moment += timedelta(seconds=9)
    assert await setup.courier.deliver_due() == 0
    setup.clock.moment += timedelta(seconds=1)
    assert await setup.courier.deliver_due() == 1  # fails again: next try in 20 s
    assert setup.store.outbox.last_errors[ann.id] == "The mail server could not be reached."
    setup.mailbox.failure = None
    setup.clock.moment += timedelta(seconds=20)
    assert await setup.courier.deliver_due() == 1

    assert [mail.id for mail in setup.mailbox.sent] == [ann.id]
    assert setup.outbox(ann).attempts == 3


async def test_a_mail_refused_for_good_is_given_up_and_never_sent_again(setup: Setup) -> None:
    [ann] = await setup.post("ann")
    setup.mailbox.failure = Undeliverable("550 no such mailbox")

    assert await setup.courier.deliver_due() == 1
    setup.mailbox.failure = None
    setup.clock.moment += timedelta(days=1)
    assert await setup.courier.deliver_due() == 0

    assert setup.mailbox.sent == []
    assert setup.store.outbox.given_up[ann.id] == NOW
    assert setup.store.outbox.last_errors[ann.id] == "550 no such mailbox"


async def test_a_crash_between_send_and_mark_sends_that_mail_again_with_its_id(
    setup: Setup,
) -> None:
    ann, bob, cem = await setup.post("ann", "bob", "cem")
    setup.mailbox.crash_after_sending = True

    with pytest.raises(asyncio.CancelledError):
        await setup.courier.deliver_due()
    await setup.courier.deliver_due()

    assert [mail.id for mail in setup.mailbox.sent] == [ann.id, ann.id, bob.id, cem.id]
    assert setup.mailbox.sent[0] == setup.mailbox.sent[1]


async def test_a_crash_sends_nothing_twice_that_was_already_marked(setup: Setup) -> None:
    ann, bob = await setup.post("ann", "bob")
    await setup.courier.deliver_due()
    [cem] = await setup.post("cem")
    setup.mailbox.crash_after_sending = True

    with pytest.raises(asyncio.CancelledError):
        await setup.courier.deliver_due()
    await setup.courier.deliver_due()

    assert [mail.id for mail in setup.mailbox.sent] == [ann.id, bob.id, cem.id, cem.id]


async def test_a_letter_its_template_cannot_word_waits_and_lets_the_others_go(
    setup: Setup,
) -> None:
    broken = mail_message(
        Letter(kind=MailKind.PASSWORD_RESET, to="x@example.com", to_name="x", facts={}), NOW
    )
    async with setup.uow() as uow:
        await uow.outbox.add(broken)
        await uow.commit()
    [ann] = await setup.post("ann")

    with pytest.raises(Exception, match="token"):
        await setup.courier.deliver_due()
    assert await setup.courier.deliver_due() == 1

    assert [mail.id for mail in setup.mailbox.sent] == [ann.id]
    assert setup.outbox(broken).next_attempt_at == NOW + timedelta(seconds=10)
    assert "UndefinedError" in setup.store.outbox.last_errors[broken.id]


async def test_kinds_the_courier_has_no_delivery_for_stay_in_the_outbox(setup: Setup) -> None:
    alert = OutboxMessage(
        id=new_id(),
        kind=STOCK_LOW,
        payload={"event": STOCK_LOW},
        idempotency_key="alert-1",
        created_at=NOW,
        next_attempt_at=NOW,
    )
    async with setup.uow() as uow:
        await uow.outbox.add(alert)
        await uow.commit()

    assert await setup.courier.deliver_due() == 0
    assert alert.id not in setup.store.outbox.delivered
