"""The outbox worker: delivers customers' mail (over SMTP, or to the log) and low-stock
alerts (to GROCERY_ALERT_WEBHOOK_URL, when set; until then they wait in the outbox); with
Stripe set up, it also follows card payments up (core/services/payment_sweep.py).

It runs as `grocery worker`, and inside every `grocery serve` process unless
GROCERY_RUN_WORKER is false. Any number may run at once: each claims messages with
FOR UPDATE SKIP LOCKED, so they share the work and never send one message twice at once.
"""

from __future__ import annotations

import asyncio
import signal
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, suppress
from datetime import timedelta

import msgspec
import structlog

from grocery.adapters.mail.templates import MailTemplates
from grocery.adapters.sql.database import Database
from grocery.adapters.sql.uow import SqlUnitOfWork
from grocery.adapters.webhook import WebhookAlertSink
from grocery.config import Settings
from grocery.core.alerts import STOCK_LOW
from grocery.core.errors import DomainError
from grocery.core.mail import MAIL
from grocery.core.ports.clock import Clock
from grocery.core.ports.mail import Mailer
from grocery.core.ports.outbox import Delivery
from grocery.core.services.alerts import AlertDelivery
from grocery.core.services.mail import MailDelivery
from grocery.core.services.orders import OrderService
from grocery.core.services.outbox import OutboxCourier
from grocery.core.services.payment_sweep import ROUND_SIZE, PaymentSweep
from grocery.core.services.payments import PaymentFollowUps
from grocery.entrypoints.metrics import NO_METRICS, Tally
from grocery.entrypoints.payment_outcomes import NotedPayments
from grocery.entrypoints.wiring import Adapters, build_adapters

log = structlog.get_logger("grocery.worker")

POLL_SECONDS = 1.0
STOP_GRACE_SECONDS = 15.0


async def deliver_outbox(
    courier: OutboxCourier, stop: asyncio.Event, *, poll_seconds: float = POLL_SECONDS
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


def mail_delivery(settings: Settings, mailer: Mailer) -> MailDelivery:
    """Letters worded with the store's name and links, sent by `mailer`."""
    templates = MailTemplates(store_name=settings.store_name, public_url=settings.public_url)
    return MailDelivery(templates, mailer)


@asynccontextmanager
async def outbox_worker(
    database: Database,
    clock: Clock,
    *,
    mail: Delivery | None = None,
    webhook_url: str | None = None,
    poll_seconds: float = POLL_SECONDS,
) -> AsyncIterator[None]:
    """Run the worker in the background while the block runs; it stops after its current
    message. It delivers the kinds it is given a way to: mail, low-stock alerts, or both."""
    deliveries: dict[str, Delivery] = {} if mail is None else {MAIL: mail}
    sink = None if webhook_url is None else WebhookAlertSink(webhook_url)
    if sink is not None:
        deliveries[STOCK_LOW] = AlertDelivery(sink)
    courier = OutboxCourier(uow=lambda: SqlUnitOfWork(database), deliveries=deliveries, clock=clock)
    stop = asyncio.Event()
    task = asyncio.create_task(deliver_outbox(courier, stop, poll_seconds=poll_seconds))
    try:
        yield
    finally:
        stop.set()
        try:
            await asyncio.wait_for(task, STOP_GRACE_SECONDS)
        finally:
            if sink is not None:
                await sink.close()


PAYMENT_POLL_SECONDS = 5.0


def payment_follow_ups(adapters: Adapters, tally: Tally = NO_METRICS) -> PaymentFollowUps:
    """Card follow-ups whose steps are counted in `tally` and logged."""
    return PaymentFollowUps(
        uow=lambda: SqlUnitOfWork(adapters.database),
        clock=adapters.clock,
        gateways=adapters.gateways,
        outcomes=NotedPayments(tally),
    )


def payment_sweep(
    settings: Settings, adapters: Adapters, tally: Tally = NO_METRICS
) -> PaymentSweep:
    follow_ups = payment_follow_ups(adapters, tally)

    def uow() -> SqlUnitOfWork:
        return SqlUnitOfWork(adapters.database)

    return PaymentSweep(
        uow=uow,
        clock=adapters.clock,
        orders=OrderService(
            uow=uow, clock=adapters.clock, timezone=settings.timezone, payments=follow_ups
        ),
        follow_ups=follow_ups,
        timeout=timedelta(minutes=settings.payment_timeout_minutes),
    )


async def follow_payments(
    sweep: PaymentSweep, stop: asyncio.Event, *, poll_seconds: float = PAYMENT_POLL_SECONDS
) -> None:
    """Rounds of card payments waiting on the shop until `stop` is set: a full round is
    followed at once by the next, a short one by a pause."""
    while not stop.is_set():
        try:
            looked_at = await sweep.follow_up()
        except DomainError as error:  # the database is down, say: try again shortly
            log.warning("payments.unavailable", code=error.code)
            looked_at = 0
        except Exception:
            log.exception("payments.failed")
            looked_at = 0
        if looked_at < ROUND_SIZE:
            with suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), poll_seconds)


@asynccontextmanager
async def payment_worker(
    sweep: PaymentSweep, *, poll_seconds: float = PAYMENT_POLL_SECONDS
) -> AsyncIterator[None]:
    """Follow card payments in the background while the block runs."""
    stop = asyncio.Event()
    task = asyncio.create_task(follow_payments(sweep, stop, poll_seconds=poll_seconds))
    try:
        yield
    finally:
        stop.set()
        await asyncio.wait_for(task, STOP_GRACE_SECONDS)


async def run_worker(settings: Settings) -> None:
    """`grocery worker`: deliver until SIGINT or SIGTERM."""
    # The worker delivers one message at a time: a small pool is plenty.
    adapters = build_adapters(msgspec.structs.replace(settings, db_pool_size=2))
    stopped = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stopped.set)
    try:
        async with outbox_worker(
            adapters.database,
            adapters.clock,
            mail=mail_delivery(settings, adapters.mailer),
            webhook_url=settings.alert_webhook_url,
        ):
            if adapters.gateways.stripe is None:
                await stopped.wait()
            else:
                async with payment_worker(payment_sweep(settings, adapters)):
                    await stopped.wait()
    finally:
        await adapters.database.dispose()
