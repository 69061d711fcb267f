"""The outbox worker: delivers low-stock alerts to GROCERY_ALERT_WEBHOOK_URL.

It runs as `grocery worker`, and inside every `grocery serve` process unless
GROCERY_RUN_WORKER is false. Any number may run at once: each claims messages with
FOR UPDATE SKIP LOCKED, so they share the work and never send one message twice at once.
"""

from __future__ import annotations

import asyncio
import signal
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, suppress

import msgspec
import structlog

from grocery.adapters.sql.database import Database
from grocery.adapters.sql.uow import SqlUnitOfWork
from grocery.adapters.webhook import WebhookAlertSink
from grocery.config import Settings
from grocery.core.errors import DomainError
from grocery.core.ports.clock import Clock
from grocery.core.services.alerts import AlertCourier
from grocery.entrypoints.wiring import build_adapters

log = structlog.get_logger("grocery.worker")

POLL_SECONDS = 1.0
STOP_GRACE_SECONDS = 15.0


async def deliver_alerts(
    courier: AlertCourier, stop: asyncio.Event, *, poll_seconds: float = POLL_SECONDS
) -> None:
    """Deliver due outbox messages until `stop` is set, pausing whenever nothing was due."""
    log.info("worker.started")
    while not stop.is_set():
        try:
            tried = await courier.deliver_due()
        except DomainError as error:  # the database is down, say: try again shortly
            log.warning("worker.unavailable", code=error.code)
            tried = 0
        except Exception:
            log.exception("worker.failed")
            tried = 0
        if not tried:
            with suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), poll_seconds)
    log.info("worker.stopped")


@asynccontextmanager
async def alert_worker(
    database: Database, webhook_url: str, clock: Clock, *, poll_seconds: float = POLL_SECONDS
) -> AsyncIterator[None]:
    """Run the worker in the background while the block runs; it stops after its current batch."""
    sink = WebhookAlertSink(webhook_url)
    courier = AlertCourier(uow=lambda: SqlUnitOfWork(database), sink=sink, clock=clock)
    stop = asyncio.Event()
    task = asyncio.create_task(deliver_alerts(courier, stop, poll_seconds=poll_seconds))
    try:
        yield
    finally:
        stop.set()
        try:
            await asyncio.wait_for(task, STOP_GRACE_SECONDS)
        finally:
            await sink.close()


async def run_worker(settings: Settings) -> None:
    """`grocery worker`: deliver until SIGINT or SIGTERM."""
    assert settings.alert_webhook_url is not None
    # The worker delivers one batch at a time: a small pool is plenty.
    adapters = build_adapters(msgspec.structs.replace(settings, db_pool_size=2))
    stopped = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stopped.set)
    try:
        async with alert_worker(adapters.database, settings.alert_webhook_url, adapters.clock):
            await stopped.wait()
    finally:
        await adapters.database.dispose()
