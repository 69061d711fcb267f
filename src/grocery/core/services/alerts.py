"""Low-stock alerts: kept in step with every stock change, listed for managers, and
delivered from the outbox to the shop's webhook at least once."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from grocery.core.alerts import (
    AlertStatus,
    AlertView,
    Backoff,
    LowStockAlert,
    StockMove,
    alert_for,
    stock_low_message,
)
from grocery.core.catalog import StockCrossing
from grocery.core.errors import ServiceUnavailable
from grocery.core.paging import keyset_page
from grocery.core.ports.alerts import AlertSink, AlertWork, StockWatch
from grocery.core.ports.clock import Clock
from grocery.core.ports.outbox import OutboxWork
from grocery.core.ports.transaction import UnitOfWorkFactory


async def watch_stock(
    uow: StockWatch, moves: Iterable[StockMove], now: datetime
) -> list[LowStockAlert]:
    """Open or resolve alerts for stock that crossed its threshold, in the caller's transaction.

    Every use case that changes stock calls this before it commits, so an alert and its
    outbox message exist exactly when the change does. Answers the alerts it opened.
    """
    opened: list[LowStockAlert] = []
    for move in moves:
        if move.crossing is StockCrossing.FELL_BELOW:
            alert = alert_for(move, now)
            if await uow.low_stock_alerts.open(alert, move.product_name):
                await uow.outbox.add(stock_low_message(alert, move.product_name))
                opened.append(alert)
        elif move.crossing is StockCrossing.RECOVERED:
            await uow.low_stock_alerts.resolve(move.product_id, now)
    return opened


@dataclass(frozen=True, slots=True)
class AlertPage:
    alerts: list[AlertView]
    last_id: UUID | None  # where the next page starts (keyset); None on the last page


class AlertService:
    def __init__(self, *, uow: UnitOfWorkFactory[AlertWork]) -> None:
        self._uow = uow

    async def page(
        self, *, status: AlertStatus | None, before: UUID | None, limit: int
    ) -> AlertPage:
        """Newest first."""
        async with self._uow() as uow:
            alerts, last = await keyset_page(
                lambda rows: uow.low_stock_alerts.page(status=status, before=before, limit=rows),
                limit,
            )
        return AlertPage(alerts=alerts, last_id=None if last is None else last.alert.id)


class AlertCourier:
    """Delivers outbox messages to the alert sink: at least once, failures retried with backoff.

    Messages are claimed with their rows locked (other couriers skip them) and marked in the
    same transaction, so a courier that dies mid-delivery leaves them due for the next.
    """

    def __init__(
        self,
        *,
        uow: UnitOfWorkFactory[OutboxWork],
        sink: AlertSink,
        clock: Clock,
        backoff: Backoff | None = None,
        batch_size: int = 20,
    ) -> None:
        self._uow = uow
        self._sink = sink
        self._clock = clock
        self._backoff = backoff or Backoff()
        self._batch_size = batch_size

    async def deliver_due(self) -> int:
        """Try each message that is due once; answers how many were tried."""
        async with self._uow() as uow:
            messages = await uow.outbox.claim_due(self._clock.now(), self._batch_size)
            for message in messages:
                try:
                    await self._sink.deliver(message.payload, message.idempotency_key)
                except ServiceUnavailable as failure:
                    retry_at = self._clock.now() + self._backoff.delay(message.attempts + 1)
                    await uow.outbox.retry_later(message.id, at=retry_at, error=failure.detail)
                else:
                    await uow.outbox.delivered(message.id, self._clock.now())
            await uow.commit()
        return len(messages)
