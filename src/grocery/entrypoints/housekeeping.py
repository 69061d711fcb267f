"""Chores every server process does now and then, in the background of `grocery serve`:
forgetting the records nobody reads again and guest carts left idle (adapters/sql/retention.py),
and moving the products' recent sales on when the shop's day has turned
(adapters/sql/report_ranks.py)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager, suppress
from datetime import timedelta

import structlog

from grocery.adapters.sql.database import Database
from grocery.adapters.sql.report_ranks import roll_recent_sales
from grocery.adapters.sql.retention import Retention, SqlRecordKeeper
from grocery.config import Settings
from grocery.core.errors import DomainError
from grocery.core.guest_carts import GUEST_CART_IDLE

log = structlog.get_logger("grocery.housekeeping")

EVERY_SECONDS = 600.0

Chore = Callable[[], Awaitable[None]]


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


def forgetting(keeper: SqlRecordKeeper, keep: Retention) -> Chore:
    async def forget() -> None:
        forgotten = await keeper.forget_old(keep)
        if any(forgotten.values()):
            log.info("housekeeping.forgot", **forgotten)

    return forget


def rolling(database: Database) -> Chore:
    async def roll() -> None:
        await roll_recent_sales(database)

    return roll


async def _tidy(chores: tuple[Chore, ...], stop: asyncio.Event, every: float) -> None:
    while not stop.is_set():
        for chore in chores:  # one failing leaves the others to do theirs
            try:
                await chore()
            except DomainError as error:  # the database is down, say: next time
                log.warning("housekeeping.unavailable", chore=chore.__name__, code=error.code)
            except Exception:
                log.exception("housekeeping.failed", chore=chore.__name__)
        with suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), every)


@asynccontextmanager
async def housekeeping(*chores: Chore, every: float = EVERY_SECONDS) -> AsyncIterator[None]:
    """Do the chores at once and then every `every` seconds while the block runs."""
    stop = asyncio.Event()
    task = asyncio.create_task(_tidy(chores, stop, every))
    try:
        yield
    finally:
        stop.set()
        await task
