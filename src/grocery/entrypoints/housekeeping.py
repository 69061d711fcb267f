"""Chores every server process does now and then, in the background of `grocery serve`:
forgetting the records nobody reads again and guest carts left idle (adapters/sql/retention.py)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, suppress
from datetime import timedelta

import structlog

from grocery.adapters.sql.retention import Retention, SqlRecordKeeper
from grocery.config import Settings
from grocery.core.errors import DomainError
from grocery.core.guest_carts import GUEST_CART_IDLE

log = structlog.get_logger("grocery.housekeeping")

EVERY_SECONDS = 600.0


def retention(settings: Settings) -> Retention:
    return Retention(
        # Far beyond GROCERY_CATALOG_CACHE_SECONDS' maximum (600 s): no kept page needs one.
        catalog_changes=timedelta(hours=1),
        idempotency_keys=timedelta(hours=24),
        refresh_families=timedelta(days=1),
        login_failures=max(timedelta(days=1), timedelta(seconds=settings.login_window_seconds)),
        link_tokens=timedelta(days=1),
        mail_asks=timedelta(days=1),  # the throttle looks back an hour
        staff_sessions=timedelta(0),
        guest_carts=GUEST_CART_IDLE,  # no route opens an idle one any more
        slot_holds=timedelta(days=1),
    )


async def _tidy(
    keeper: SqlRecordKeeper, keep: Retention, stop: asyncio.Event, every: float
) -> None:
    while not stop.is_set():
        try:
            forgotten = await keeper.forget_old(keep)
            if any(forgotten.values()):
                log.info("housekeeping.forgot", **forgotten)
        except DomainError as error:  # the database is down, say: next time
            log.warning("housekeeping.unavailable", code=error.code)
        except Exception:
            log.exception("housekeeping.failed")
        with suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), every)


@asynccontextmanager
async def housekeeping(
    keeper: SqlRecordKeeper, keep: Retention, *, every: float = EVERY_SECONDS
) -> AsyncIterator[None]:
    """Tidy at once and then every `every` seconds while the block runs."""
    stop = asyncio.Event()
    task = asyncio.create_task(_tidy(keeper, keep, stop, every))
    try:
        yield
    finally:
        stop.set()
        await task
