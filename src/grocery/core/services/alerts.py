"""Low-stock alerts: kept in step with every stock change, listed for managers, and
delivered from the outbox to the shop's webhook at least once (see services/outbox.py)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from grocery.core.alerts import (
    AlertStatus,
    AlertView,
    LowStockAlert,
    StockMove,
    alert_for,
    stock_low_message,
)
from grocery.core.catalog import StockCrossing
from grocery.core.mail import mail_message
from grocery.core.outbox import OutboxMessage
from grocery.core.paging import keyset_page
from grocery.core.ports.alerts import AlertSink, AlertWork, StockWatch
from grocery.core.ports.transaction import UnitOfWorkFactory
from grocery.core.restock import back_in_stock_letter, came_back


async def watch_stock(
    uow: StockWatch, moves: Iterable[StockMove], now: datetime
) -> list[LowStockAlert]:
    """Open or resolve alerts for stock that crossed its threshold, and mail the customers
    waiting for a product that came back in stock, in the caller's transaction.

    Every use case that changes stock calls this before it commits, so an alert, a mail
    and their outbox messages exist exactly when the change does. Answers the alerts it opened.
    """
    opened: list[LowStockAlert] = []
    for move in moves:
        if came_back(move):
            for customer in await uow.restock_notices.take_waiting(move.product_id):
                letter = back_in_stock_letter(customer, move.product_name)
                await uow.outbox.add(mail_message(letter, now))
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


class AlertDelivery:
    """Delivers the outbox's low-stock news to the shop's webhook, keyed by the alert's id."""

    def __init__(self, sink: AlertSink) -> None:
        self._sink = sink

    async def deliver(self, message: OutboxMessage) -> None:
        await self._sink.deliver(message.payload, message.idempotency_key)
