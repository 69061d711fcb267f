"""Low-stock alerts: which moves cross the threshold, the backoff, watch_stock and the
courier that delivers the outbox, on the in-memory adapters."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from datetime import datetime, timedelta
from uuid import UUID, uuid4

import pytest

from grocery.core.alerts import STOCK_LOW, AlertStatus, StockMove
from grocery.core.catalog import StockCrossing
from grocery.core.errors import ServiceUnavailable
from grocery.core.outbox import Backoff
from grocery.core.services.alerts import AlertDelivery, AlertService, watch_stock
from grocery.core.services.outbox import OutboxCourier
from tests.unit.orders_shop import NOW, Shop

X = StockCrossing


@pytest.fixture
def shop() -> Shop:
    return Shop()


def move(before: int, after: int, threshold: int, threshold_before: int | None = None) -> StockMove:
    return StockMove(
        product_id=uuid4(),
        product_name="Pears",
        stock_before=before,
        stock_after=after,
        threshold=threshold,
        threshold_before=threshold_before,
    )


@pytest.mark.parametrize(
    ("before", "after", "threshold", "expected"),
    [
        (10, 9, 10, X.FELL_BELOW),  # from at the threshold to below it
        (12, 10, 10, None),  # at the threshold is not below it
        (9, 5, 10, None),  # already below
        (5, 10, 10, X.RECOVERED),
        (5, 9, 10, None),
        (0, 0, 0, None),  # a threshold of 0 never alerts
    ],
)
def test_a_stock_change_crosses_when_it_passes_the_threshold(
    before: int, after: int, threshold: int, expected: StockCrossing | None
) -> None:
    assert move(before, after, threshold).crossing is expected


@pytest.mark.parametrize(
    ("threshold_before", "threshold", "expected"),
    [(5, 10, X.FELL_BELOW), (10, 5, X.RECOVERED), (5, 6, None)],
)
def test_moving_the_threshold_past_the_stock_crosses_too(
    threshold_before: int, threshold: int, expected: StockCrossing | None
) -> None:
    assert move(7, 7, threshold, threshold_before).crossing is expected


def test_backoff_doubles_up_to_its_longest() -> None:
    backoff = Backoff(first=timedelta(seconds=2), longest=timedelta(seconds=30))
    delays = [backoff.delay(failures).total_seconds() for failures in range(1, 7)]
    assert delays == [2, 4, 8, 16, 30, 30]
    assert backoff.delay(10_000) == timedelta(seconds=30)


async def test_watch_stock_opens_one_alert_per_product_and_resolves_it(shop: Shop) -> None:
    apples = shop.product(stock=9, threshold=10)
    fell = StockMove(
        product_id=apples.id, product_name=apples.name, stock_before=10, stock_after=9, threshold=10
    )
    async with shop.uow() as uow:
        first = await watch_stock(uow, [fell], NOW)
        again = await watch_stock(uow, [replace(fell, stock_before=9, stock_after=8)], NOW)
        twice = await watch_stock(uow, [fell], NOW)  # an open alert is never doubled
        await uow.commit()
    assert (len(first), again, twice) == (1, [], [])

    recovered = replace(fell, stock_before=8, stock_after=12)
    async with shop.uow() as uow:
        await watch_stock(uow, [recovered], NOW)
        await uow.commit()

    [alert] = shop.store.alerts.alerts.values()
    assert (alert.id, alert.stock, alert.resolved_at) == (first[0].id, 9, NOW)
    assert len(shop.store.outbox.messages) == 1


async def test_managers_list_alerts_by_status(shop: Shop) -> None:
    products = [shop.product(stock=5, threshold=10) for _ in range(3)]
    async with shop.uow() as uow:
        for product in products:
            await watch_stock(uow, [_fell(product.id, product.name)], NOW)
        await watch_stock(uow, [_recovered(products[0].id)], NOW)
        await uow.commit()
    alerts = AlertService(uow=shop.uow)

    open_page = await alerts.page(status=AlertStatus.OPEN, before=None, limit=1)
    rest = await alerts.page(status=AlertStatus.OPEN, before=open_page.last_id, limit=5)
    resolved = await alerts.page(status=AlertStatus.RESOLVED, before=None, limit=5)

    assert [v.product.id for v in open_page.alerts + rest.alerts] == [
        products[2].id,
        products[1].id,
    ]
    assert rest.last_id is None
    assert [v.product.id for v in resolved.alerts] == [products[0].id]


def _fell(product_id: UUID, name: str) -> StockMove:
    return StockMove(
        product_id=product_id, product_name=name, stock_before=10, stock_after=5, threshold=10
    )


def _recovered(product_id: UUID) -> StockMove:
    return StockMove(
        product_id=product_id, product_name="", stock_before=5, stock_after=10, threshold=10
    )


# --- the courier --------------------------------------------------------------


class FixedClock:
    def __init__(self) -> None:
        self.moment = NOW

    def now(self) -> datetime:
        return self.moment


class Sink:
    """Records deliveries; refuses while `down`."""

    def __init__(self) -> None:
        self.down = False
        self.delivered: list[tuple[str, Mapping[str, object]]] = []

    async def deliver(self, payload: Mapping[str, object], idempotency_key: str) -> None:
        if self.down:
            raise ServiceUnavailable("The receiver answered 500.")
        self.delivered.append((idempotency_key, payload))


async def opened_alert(shop: Shop) -> UUID:
    product = shop.product(stock=5, threshold=10)
    async with shop.uow() as uow:
        [alert] = await watch_stock(uow, [_fell(product.id, product.name)], NOW)
        await uow.commit()
    return alert.id


async def test_the_courier_delivers_each_message_once_keyed_by_its_alert(shop: Shop) -> None:
    alert_id = await opened_alert(shop)
    sink, clock = Sink(), FixedClock()
    courier = OutboxCourier(uow=shop.uow, deliveries={STOCK_LOW: AlertDelivery(sink)}, clock=clock)

    tried = [await courier.deliver_due(), await courier.deliver_due()]

    assert tried == [1, 0]
    assert [(key, payload["alert_id"]) for key, payload in sink.delivered] == [
        (str(alert_id), str(alert_id))
    ]


async def test_a_failed_delivery_waits_longer_after_each_failure(shop: Shop) -> None:
    await opened_alert(shop)
    sink, clock = Sink(), FixedClock()
    backoff = Backoff(first=timedelta(seconds=10), longest=timedelta(minutes=5))
    courier = OutboxCourier(
        uow=shop.uow, deliveries={STOCK_LOW: AlertDelivery(sink)}, clock=clock, backoff=backoff
    )
    sink.down = True

    assert await courier.deliver_due() == 1  # fails: next try in 10s
    clock.moment += timedelta(seconds=9)
    assert await courier.deliver_due() == 0  # not due yet
    clock.moment += timedelta(seconds=1)
    assert await courier.deliver_due() == 1  # fails again: next try in 20s
    clock.moment += timedelta(seconds=19)
    assert await courier.deliver_due() == 0
    sink.down = False
    clock.moment += timedelta(seconds=1)
    assert await courier.deliver_due() == 1

    [message] = shop.store.outbox.messages.values()
    assert message.attempts == 3
    assert shop.store.outbox.delivered[message.id] == clock.moment
    assert len(sink.delivered) == 1
