"""The shop as a fleet on loopback: two app servers (two workers each) behind no balancer,
PgBouncer in transaction pooling in front of the primary, and a streaming replica serving the
catalog and the reports. Shoppers browse, fill carts, half of them hold a place in one of the
counter's few pickup slots, and check out; a manager picks orders and reads reports, for a
bounded time; one server is killed outright mid-run and restarted.

Afterwards the books balance (bench/invariants.py: no negative stock, stock + units sold
conserved, stock moved by exactly the units ordered, no slot over its capacity, every slot's
booked count its live orders; and every product's stock is the sum of its ledger), and no
request got a 5xx: the only failures are the killed server's own connections, while it was
down.
"""

from __future__ import annotations

import asyncio
import os
import random
import re
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from uuid import UUID, uuid4

import asyncpg
import httpx
import pytest
from bench import invariants

from grocery.adapters.sql import migrate
from tests.faults.harness import Server, accounts, kill_hard, serving, stock_shelves
from tests.integration.pgbouncer import pgbouncer_in_front
from tests.integration.replica import Replicated, caught_up, primary_and_replica

_ID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
SECONDS = float(os.environ.get("GROCERY_FLEET_SECONDS", "20"))
SHOPPERS = 12
PRODUCTS = 12
SLOTS, SLOT_CAPACITY = 2, 6  # fewer places than the booking shoppers' checkouts: they fill


@dataclass
class Fleet:
    replicated: Replicated
    bounced_url: str
    environment: dict[str, str]
    scratch: Path
    running: ExitStack  # every server started, stopped when the fixture ends
    servers: list[Server] = field(default_factory=list)


@pytest.fixture(scope="module")
def fleet(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Fleet]:
    scratch = tmp_path_factory.mktemp("fleet")
    with (
        primary_and_replica(scratch / "pg", f"fleet_{uuid4().hex[:8]}") as replicated,
        pgbouncer_in_front(replicated.primary_url, scratch / "pgbouncer.log") as bounced,
        ExitStack() as running,
    ):
        migrate.upgrade(replicated.primary_url)
        environment = {
            "GROCERY_DB_PGBOUNCER": "true",
            "GROCERY_READ_DATABASE_URL": replicated.replica_url,
            # LISTEN can't go through PgBouncer: the catalog's change feed goes straight there.
            "GROCERY_LISTEN_DATABASE_URL": replicated.primary_url,
            "GROCERY_DB_POOL_SIZE": "4",
            "GROCERY_METRICS": "true",
        }
        fleet = Fleet(replicated, bounced, environment, scratch, running)
        for name in ("a", "b"):
            fleet.servers.append(
                running.enter_context(
                    serving(bounced, scratch / name, workers=2, environment=environment)
                )
            )
        yield fleet


@dataclass
class Tally:
    """What the fleet answered, per server."""

    statuses: Counter[tuple[str, int]] = field(default_factory=Counter)
    calls: Counter[tuple[str, str, int]] = field(default_factory=Counter)  # method, route, status
    unreachable: list[tuple[str, float]] = field(default_factory=list)  # server, when
    clients: dict[str, httpx.AsyncClient] = field(default_factory=dict)  # one per server

    def seen(self, server: str, response: httpx.Response | None) -> None:
        if response is None:
            self.unreachable.append((server, time.monotonic()))
            return
        self.statuses[(server, response.status_code)] += 1
        route = _ID.sub("{id}", response.request.url.path)
        self.calls[(response.request.method, route, response.status_code)] += 1


async def call(
    tally: Tally, server: Server, method: str, path: str, **options: object
) -> httpx.Response | None:
    client = tally.clients.get(server.base_url)
    if client is None:
        client = tally.clients[server.base_url] = httpx.AsyncClient(
            base_url=server.base_url, timeout=30
        )
    try:
        response = await client.request(method, path, **options)  # type: ignore[arg-type]
    except httpx.TransportError:
        tally.seen(server.base_url, None)
        return None
    tally.seen(server.base_url, response)
    return response


async def open_the_counter(base_url: str, manager: dict[str, str]) -> list[str]:
    """A pickup counter with SLOTS slots tomorrow; their ids."""
    async with httpx.AsyncClient(base_url=base_url, headers=manager, timeout=10) as staff:
        address = {"line1": "1 High St", "city": "Leeds", "postal_code": "LS1", "country": "GB"}
        body = {"name": f"Counter {uuid4().hex[:6]}", "address": address}
        point = await staff.post("/api/pickup-points", json=body)
        assert point.status_code == 201, point.text
        tomorrow = datetime.now(UTC).replace(minute=0, second=0, microsecond=0) + timedelta(1)
        slots = []
        for hour in range(SLOTS):
            starts = tomorrow + timedelta(hours=2 * hour)
            body = {
                "method": "pickup",
                "pickup_point_id": point.json()["id"],
                "starts_at": starts.isoformat(),
                "ends_at": (starts + timedelta(hours=2)).isoformat(),
                "capacity": SLOT_CAPACITY,
            }
            slot = await staff.post("/api/slots", json=body)
            assert slot.status_code == 201, slot.text
            slots.append(str(slot.json()["id"]))
    return slots


async def shop_for(
    tally: Tally,
    fleet: Fleet,
    number: int,
    headers: dict[str, str],
    products: list[str],
    slots: list[str],
) -> None:
    """Browse, put one or two products in the cart, hold a slot (every other shopper; a full
    one is left, the order then has none) and check out, again and again."""
    chooser = random.Random(number)
    deadline = time.monotonic() + SECONDS
    while time.monotonic() < deadline:
        server = fleet.servers[(number + int(time.monotonic())) % 2]
        await call(tally, server, "GET", "/api/products", params={"limit": 20})
        for product in chooser.sample(products, 2):
            await call(tally, server, "GET", f"/api/products/{product}")
            body = {"product_id": product, "quantity": chooser.randint(1, 2)}
            await call(tally, server, "POST", "/api/cart/items", json=body, headers=headers)
        if number % 2 == 0:
            slot = {"slot_id": chooser.choice(slots)}
            await call(tally, server, "PUT", "/api/cart/slot", json=slot, headers=headers)
        key = {"Idempotency-Key": uuid4().hex, **headers}
        await call(tally, server, "POST", "/api/checkout", headers=key)


async def run_the_back_office(tally: Tally, fleet: Fleet, manager: dict[str, str]) -> int:
    """Pick every placed order in full, and read a report, until the time is up."""
    picked = rounds = 0
    deadline = time.monotonic() + SECONDS
    while time.monotonic() < deadline:
        rounds += 1
        server = fleet.servers[rounds % 2]
        await call(tally, server, "GET", "/api/reports/sales-by-product", headers=manager)
        listed = await call(tally, server, "GET", "/api/orders", headers=manager)
        placed = (
            [] if listed is None else [o for o in listed.json()["items"] if o["status"] == "placed"]
        )
        for order in placed[:3]:
            path = f"/api/orders/{order['id']}"
            if await call(tally, server, "POST", f"{path}/picking", headers=manager) is None:
                continue
            for line in order["items"]:
                body = {"picked_quantity": line["quantity"]}
                await call(
                    tally, server, "PUT", f"{path}/picks/{line['id']}", json=body, headers=manager
                )
            done = await call(tally, server, "POST", f"{path}/picking/complete", headers=manager)
            picked += done is not None and done.status_code == 200
        await asyncio.sleep(0.2)
    return picked


async def kill_and_restart(fleet: Fleet) -> tuple[float, float]:
    """Kill server a outright a third of the way in; start it again on its port. The
    window in which it was down."""
    await asyncio.sleep(SECONDS / 3)
    doomed = fleet.servers[0]
    killed_at = time.monotonic()
    kill_hard(doomed)
    port = int(doomed.base_url.rsplit(":", 1)[1])
    again = await asyncio.to_thread(
        lambda: fleet.running.enter_context(
            serving(
                fleet.bounced_url,
                fleet.scratch / "a-again",
                workers=2,
                environment=fleet.environment,
                port=port,
            )
        )
    )
    fleet.servers[0] = again
    return killed_at, time.monotonic()


async def ledger_mismatches(database_url: str) -> int:
    connection = await asyncpg.connect(database_url.replace("+asyncpg", ""))
    try:
        return int(
            await connection.fetchval(
                "SELECT count(*) FROM products p WHERE p.stock <>"
                " (SELECT coalesce(sum(m.quantity), 0) FROM stock_movements m"
                "   WHERE m.product_id = p.id)"
            )
        )
    finally:
        await connection.close()


async def places_booked(database_url: str, slots: list[str]) -> int:
    connection = await asyncpg.connect(database_url.replace("+asyncpg", ""))
    try:
        booked = await connection.fetchval(
            "SELECT sum(booked) FROM slots WHERE id = ANY($1::uuid[])", slots
        )
        return int(booked)
    finally:
        await connection.close()


async def test_the_fleet_keeps_its_books_through_a_server_crash(fleet: Fleet) -> None:
    primary = fleet.replicated.primary_url
    manager, customers = await accounts(primary, SHOPPERS)
    shelves = await stock_shelves(fleet.servers[1].base_url, manager, [1000] * PRODUCTS)
    products = list(shelves)
    slots = await open_the_counter(fleet.servers[0].base_url, manager)
    await caught_up(fleet.replicated)
    connection = await asyncpg.connect(primary.replace("+asyncpg", ""))
    try:
        await invariants.snapshot(connection)
    finally:
        await connection.close()

    tally = Tally()
    shoppers = [
        shop_for(tally, fleet, number, headers, products, slots)
        for number, headers in enumerate(customers)
    ]
    try:
        *_, picked, (killed_at, restarted_at) = await asyncio.gather(
            *shoppers, run_the_back_office(tally, fleet, manager), kill_and_restart(fleet)
        )
    finally:
        for client in tally.clients.values():
            await client.aclose()
    killed = fleet.servers[0].base_url

    errors = {key: count for key, count in tally.statuses.items() if key[1] >= 500}
    assert not errors, errors
    assert {server for server, _ in tally.unreachable} <= {killed}
    assert all(killed_at <= when <= restarted_at + 1 for _, when in tally.unreachable)
    checkouts = tally.calls[("POST", "/api/checkout", 201)]
    assert checkouts > SHOPPERS and picked > 0, (checkouts, picked, tally.calls)
    # Places were held until the slots were full, and then refused.
    holds = {status for (method, route, status) in tally.calls if route == "/api/cart/slot"}
    assert holds == {200, 409}, tally.calls

    connection = await asyncpg.connect(primary.replace("+asyncpg", ""))
    try:
        checks = await invariants.check(connection, UUID(products[0]))
    finally:
        await connection.close()
    assert all(check.passed for check in checks), checks
    assert await ledger_mismatches(primary) == 0
    assert await places_booked(primary, slots) > 0
