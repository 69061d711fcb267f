"""Slots in the bench: one delivery zone and one slot with room for every run's bookings,
the bench customers' addresses in the zone, and what checkout's CPU is with a slot against
without one.

wrk's figures mix a scenario's requests (adding to the cart, holding the slot, checking out),
so checkout's own CPU is measured here: carts (and holds) are filled in SQL, then only the
checkouts are sent, 32 at a time, with the workers' and PostgreSQL's CPU read around them.
The holds are spread over 32 slots, as a shop's checkouts are over its slots: 32 checkouts at
once in one slot queue for its row's lock, which is what "checkout with a slot" in the table
shows (the slot's lock held for one statement and the commit costs the event loop the
batching its concurrent requests otherwise get).
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from uuid import UUID, uuid4

import asyncpg
import httpx
from bench.cpu import CpuUse, Meter

ZONE_PREFIX = "BENCH"
CAPACITY = 10_000  # the most a slot may have: far more than a run books
CPU_CHECKOUTS = 1_500  # per round; two rounds each way per worker count
CONCURRENCY = 32


CPU_SLOTS = 32


@dataclass(frozen=True)
class SlotInputs:
    slot_id: UUID  # the wrk scenarios'
    cpu_slot_ids: tuple[UUID, ...]  # checkout CPU's: a run books up to 6,000 places in them
    addresses: dict[UUID, UUID]  # customer -> their address in the zone


async def prepare(connection: asyncpg.Connection, customers: Sequence[UUID]) -> SlotInputs:
    """The zone (made once), new slots, and one address in the zone for each customer."""
    zone_id = await connection.fetchval(
        "SELECT zone_id FROM delivery_zone_prefixes WHERE prefix = $1", ZONE_PREFIX
    )
    if zone_id is None:
        zone_id = uuid4()
        await connection.execute(
            "INSERT INTO delivery_zones (id, name, fee) VALUES ($1, 'Bench zone', 3.99)", zone_id
        )
        await connection.execute(
            "INSERT INTO delivery_zone_prefixes (prefix, zone_id) VALUES ($1, $2)",
            ZONE_PREFIX,
            zone_id,
        )
    starts = datetime.now(UTC).replace(microsecond=0) + timedelta(days=2)
    slot_ids = [uuid4() for _ in range(1 + CPU_SLOTS)]
    for number, slot_id in enumerate(slot_ids):
        await connection.execute(
            "INSERT INTO slots (id, method, zone_id, starts_at, ends_at, cutoff_at, capacity)"
            " VALUES ($1, 'delivery', $2, $3, $4, $5, $6)",
            slot_id,
            zone_id,
            starts + timedelta(hours=2 * number),
            starts + timedelta(hours=2 * number + 2),
            starts - timedelta(days=1),
            CAPACITY,
        )
    await connection.execute("DELETE FROM addresses WHERE user_id = ANY($1::uuid[])", customers)
    addresses = {customer: uuid4() for customer in customers}
    await connection.execute(
        """
        INSERT INTO addresses (id, user_id, recipient, line1, city, postal_code, country,
                               is_default, created_at)
        SELECT a, u, 'Bench customer', '1 Bench Street', 'Leeds', 'BENCH 1', 'GB', true, now()
          FROM unnest($1::uuid[], $2::uuid[]) AS t (a, u)
        """,
        list(addresses.values()),
        list(addresses),
    )
    return SlotInputs(slot_ids[0], tuple(slot_ids[1:]), addresses)


async def fill_carts(
    dsn: str, customers: Sequence[UUID], products: Sequence[UUID], slot: SlotInputs | None
) -> None:
    """One unit of a product in each customer's cart (the products taken in turn) and, with
    `slot`, a place held for their address in one of its CPU slots (taken in turn)."""
    connection = await asyncpg.connect(dsn)
    try:
        chosen = [products[i % len(products)] for i in range(len(customers))]
        await connection.execute(
            "INSERT INTO cart_items (user_id, product_id, quantity, added_at)"
            " SELECT u, p, 1, now() FROM unnest($1::uuid[], $2::uuid[]) AS t (u, p)"
            " ON CONFLICT DO NOTHING",
            customers,
            chosen,
        )
        if slot is not None:
            await connection.execute(
                "INSERT INTO slot_holds (user_id, slot_id, address_id, held_until)"
                " SELECT u, s, a, now() + interval '1 day'"
                "   FROM unnest($1::uuid[], $2::uuid[], $3::uuid[]) AS t (u, a, s)"
                " ON CONFLICT (user_id) DO UPDATE SET slot_id = excluded.slot_id,"
                "   address_id = excluded.address_id, held_until = excluded.held_until",
                customers,
                [slot.addresses[customer] for customer in customers],
                [slot.cpu_slot_ids[i % CPU_SLOTS] for i in range(len(customers))],
            )
    finally:
        await connection.close()


async def checkouts(base_url: str, tokens: Sequence[str], meter: Meter) -> tuple[CpuUse, int]:
    """Every customer checks out once, CONCURRENCY at a time: CPU per checkout, and how many
    did not answer 201."""
    queue: asyncio.Queue[str] = asyncio.Queue()
    for token in tokens:
        queue.put_nowait(token)
    failures = 0

    async def customer(client: httpx.AsyncClient) -> None:
        nonlocal failures
        while not queue.empty():
            token = queue.get_nowait()
            answer = await client.post(
                "/api/checkout", json={}, headers={"Authorization": f"Bearer {token}"}
            )
            failures += answer.status_code != 201

    limits = httpx.Limits(max_connections=CONCURRENCY)
    async with httpx.AsyncClient(base_url=base_url, limits=limits, timeout=60) as client:
        meter.start()
        await asyncio.gather(*(customer(client) for _ in range(CONCURRENCY)))
        return meter.stop(len(tokens)), failures
