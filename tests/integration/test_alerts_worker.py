"""The outbox worker on PostgreSQL, delivering to a webhook receiver on loopback: at least
once, with the alert id as Idempotency-Key, retried with backoff, never for a rollback."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Mapping
from datetime import timedelta

import msgspec
import pytest
from litestar.testing import AsyncTestClient
from sqlalchemy import text

from grocery.adapters.sql.uow import SqlUnitOfWork
from grocery.adapters.webhook import WebhookAlertSink
from grocery.config import Settings
from grocery.core.alerts import STOCK_LOW
from grocery.core.orders import Answer, Order
from grocery.core.outbox import Backoff
from grocery.core.services.alerts import AlertDelivery
from grocery.core.services.checkout import CheckoutRequest, CheckoutService
from grocery.core.services.outbox import OutboxCourier
from grocery.entrypoints.app import create_app
from grocery.entrypoints.wiring import Adapters
from grocery.entrypoints.worker import deliver_outbox, outbox_worker
from tests.integration.catalog_shop import Json
from tests.integration.checkout_shop import Receiver, Shop
from tests.integration.conftest import MakeUser, SignedInUser

POLL = 0.05


@pytest.fixture
async def receiver(adapters: Adapters) -> AsyncIterator[Receiver]:
    # Messages other tests left undelivered would only crowd this test's receiver.
    async with adapters.database.engine.begin() as connection:
        await connection.execute(
            text("UPDATE outbox SET delivered_at = now() WHERE delivered_at IS NULL")
        )
    hook = Receiver()
    await hook.start()
    try:
        yield hook
    finally:
        await hook.stop()


async def open_alert(shop: Shop, customer: SignedInUser) -> tuple[Json, Json]:
    """A product that a sale took below its threshold, and its alert."""
    apples = await shop.product(stock=10, threshold=10)
    await shop.placed(customer, (apples, 1))
    listed = await shop.client.get(
        "/api/alerts/low-stock",
        params={"status": "open", "limit": 100},
        headers=shop.manager.headers,
    )
    [alert] = [a for a in listed.json()["items"] if a["product"]["id"] == apples["id"]]
    return apples, alert


async def outbox_row(adapters: Adapters, key: str) -> Json:
    async with adapters.database.connect() as connection:
        row = await connection.execute(
            text(
                "SELECT attempts, delivered_at, last_error FROM outbox WHERE idempotency_key = :key"
            ),
            {"key": key},
        )
        return dict(row.mappings().one())


async def test_the_webhook_gets_each_alert_with_its_id_as_idempotency_key(
    shop: Shop, ann: SignedInUser, receiver: Receiver, adapters: Adapters
) -> None:
    url = receiver.url
    apples, alert = await open_alert(shop, ann)

    async with outbox_worker(adapters.database, adapters.clock, webhook_url=url, poll_seconds=POLL):
        [delivery] = await receiver.wait_for(alert["id"])

    payload = json.loads(delivery.body)
    assert delivery.headers["content-type"] == "application/json"
    assert payload["event"] == "stock.low"
    assert (payload["alert_id"], payload["product"]["id"]) == (alert["id"], apples["id"])
    assert (payload["stock"], payload["threshold"]) == (9, 10)
    row = await outbox_row(adapters, alert["id"])
    assert (row["attempts"], row["delivered_at"] is not None) == (1, True)


async def test_a_worker_stopped_before_delivery_delivers_when_it_starts_again(
    shop: Shop, ann: SignedInUser, receiver: Receiver, adapters: Adapters
) -> None:
    url = receiver.url
    async with outbox_worker(adapters.database, adapters.clock, webhook_url=url, poll_seconds=POLL):
        await asyncio.sleep(3 * POLL)
    _, alert = await open_alert(shop, ann)  # while no worker runs
    await asyncio.sleep(5 * POLL)
    assert receiver.for_key(alert["id"]) == []

    async with outbox_worker(adapters.database, adapters.clock, webhook_url=url, poll_seconds=POLL):
        delivered = await receiver.wait_for(alert["id"])

    assert len(delivered) == 1


async def test_nothing_is_delivered_for_a_rolled_back_checkout(
    shop: Shop, ann: SignedInUser, make_user: MakeUser, receiver: Receiver, adapters: Adapters
) -> None:
    url = receiver.url
    apples = await shop.product(stock=10, threshold=10)
    await shop.fill(ann, (apples, 3))
    checkout = CheckoutService(
        uow=lambda: SqlUnitOfWork(adapters.database),
        clock=adapters.clock,
        currency="USD",
        require_slot=False,
    )

    def fail_after_everything_was_written(order: Order) -> Answer:
        raise RuntimeError("the answer could not be made")

    async with outbox_worker(adapters.database, adapters.clock, webhook_url=url, poll_seconds=POLL):
        with pytest.raises(RuntimeError):
            await checkout.place_order(
                CheckoutRequest(user_id=ann.id), fail_after_everything_was_written
            )
        _, alert = await open_alert(shop, await make_user())  # committed: the worker ran
        await receiver.wait_for(alert["id"])

    assert [json.loads(d.body)["product"]["id"] for d in receiver.deliveries] == [
        alert["product"]["id"]
    ]
    assert (await shop.now(apples))["stock"] == 10
    async with adapters.database.connect() as connection:
        found = await connection.execute(
            text("SELECT count(*) FROM low_stock_alerts WHERE product_id = :id"),
            {"id": apples["id"]},
        )
        assert found.scalar_one() == 0


async def test_a_failing_webhook_is_retried_with_growing_pauses(
    shop: Shop, ann: SignedInUser, receiver: Receiver, adapters: Adapters
) -> None:
    receiver.statuses = [500, 503]
    url = receiver.url
    _, alert = await open_alert(shop, ann)
    sink = WebhookAlertSink(url)
    courier = OutboxCourier(
        uow=lambda: SqlUnitOfWork(adapters.database),
        deliveries={STOCK_LOW: AlertDelivery(sink)},
        clock=adapters.clock,
        backoff=Backoff(first=timedelta(seconds=0.3), longest=timedelta(seconds=5)),
    )
    stop = asyncio.Event()
    worker = asyncio.create_task(deliver_outbox(courier, stop, poll_seconds=POLL))
    try:
        first, second, third = await receiver.wait_for(alert["id"], count=3)
    finally:
        stop.set()
        await worker
        await sink.close()

    assert second.at - first.at >= 0.3
    assert third.at - second.at >= 0.6
    row = await outbox_row(adapters, alert["id"])
    assert (row["attempts"], row["delivered_at"] is not None, row["last_error"]) == (3, True, None)


async def test_two_workers_share_the_outbox_and_send_each_alert_once(
    shop: Shop, make_user: MakeUser, receiver: Receiver, adapters: Adapters
) -> None:
    url = receiver.url
    alerts = [(await open_alert(shop, await make_user()))[1] for _ in range(6)]

    async with (
        outbox_worker(adapters.database, adapters.clock, webhook_url=url, poll_seconds=POLL),
        outbox_worker(adapters.database, adapters.clock, webhook_url=url, poll_seconds=POLL),
    ):
        for alert in alerts:
            await receiver.wait_for(alert["id"])
        await asyncio.sleep(5 * POLL)

    assert sorted(d.headers["idempotency-key"] for d in receiver.deliveries) == sorted(
        a["id"] for a in alerts
    )


async def test_a_server_with_a_webhook_runs_its_own_worker(
    settings: Settings, shop: Shop, ann: SignedInUser, receiver: Receiver
) -> None:
    with_worker = msgspec.structs.replace(settings, run_worker=True, alert_webhook_url=receiver.url)
    async with AsyncTestClient(app=create_app(with_worker)) as served:
        apples = await shop.product(stock=10, threshold=10)
        await shop.fill(ann, (apples, 1))
        order = await served.post("/api/checkout", headers=ann.headers)
        assert order.status_code == 201, order.text
        listed = await served.get(
            "/api/alerts/low-stock", params={"status": "open"}, headers=shop.manager.headers
        )
        [alert] = [a for a in listed.json()["items"] if a["product"]["id"] == apples["id"]]
        await receiver.wait_for(alert["id"])


class HangingSink:
    """A receiver that takes the request and never answers."""

    def __init__(self) -> None:
        self.entered = asyncio.Event()

    async def deliver(self, payload: Mapping[str, object], idempotency_key: str) -> None:
        self.entered.set()
        await asyncio.Event().wait()


async def test_a_worker_killed_mid_delivery_leaves_the_message_for_the_next(
    shop: Shop, ann: SignedInUser, receiver: Receiver, adapters: Adapters
) -> None:
    _, alert = await open_alert(shop, ann)
    hanging = HangingSink()
    courier = OutboxCourier(
        uow=lambda: SqlUnitOfWork(adapters.database),
        deliveries={STOCK_LOW: AlertDelivery(hanging)},
        clock=adapters.clock,
    )
    killed = asyncio.create_task(deliver_outbox(courier, asyncio.Event(), poll_seconds=POLL))
    await asyncio.wait_for(hanging.entered.wait(), 10)
    killed.cancel()  # dies holding the claimed message
    with pytest.raises(asyncio.CancelledError):
        await killed

    async with outbox_worker(
        adapters.database, adapters.clock, webhook_url=receiver.url, poll_seconds=POLL
    ):
        delivered = await receiver.wait_for(alert["id"])

    assert len(delivered) == 1
