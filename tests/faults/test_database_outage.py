"""PostgreSQL crashes and comes back under a running `grocery serve` with shoppers checking out.

Meanwhile every answer that needs the database is a 503 (never a 500); afterwards the same
server process answers again without a restart; and no order is partial: for every product,
initial stock = stock + units sold = stock + units in orders. Checkouts whose answer was
lost are retried with their Idempotency-Key, and the retries place no second order.
"""

from __future__ import annotations

import asyncio
import random
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from uuid import uuid4

import httpx
import pytest

from tests.faults.harness import (
    StoppablePostgres,
    accounts,
    assert_books_balance,
    read_books,
    serving,
    stock_shelves,
    wait_until_ready,
)

OUTAGE_SECONDS = 4


@pytest.fixture(scope="module")
def postgres(tmp_path_factory: pytest.TempPathFactory) -> Iterator[StoppablePostgres]:
    server = StoppablePostgres(tmp_path_factory.mktemp("stoppable-pg"))
    yield server
    server.start()  # leave it running for the wheel's own clean-up at exit


@dataclass
class Answer:
    sent: float
    received: float
    status: int  # 0: no answer at all
    path: str


@dataclass
class Traffic:
    answers: list[Answer] = field(default_factory=list)
    checkouts: dict[str, tuple[httpx.AsyncClient, int]] = field(default_factory=dict)  # by key
    stop: bool = False

    async def call(self, client: httpx.AsyncClient, method: str, path: str, **kwargs: Any) -> int:
        sent = time.monotonic()
        try:
            status = (await client.request(method, path, **kwargs)).status_code
        except httpx.TransportError:
            status = 0
        self.answers.append(Answer(sent, time.monotonic(), status, path))
        return status

    async def shopper(self, client: httpx.AsyncClient, products: list[str]) -> None:
        while not self.stop:
            body = {"product_id": random.choice(products), "quantity": random.randint(1, 3)}
            await self.call(client, "POST", "/api/cart/items", json=body)
            key = str(uuid4())
            status = await self.call(
                client, "POST", "/api/checkout", headers={"Idempotency-Key": key}
            )
            self.checkouts[key] = (client, status)

    async def browser(self, client: httpx.AsyncClient) -> None:
        while not self.stop:
            await self.call(client, "GET", "/api/products")
            await asyncio.sleep(0.05)


async def test_a_database_crash_costs_503s_and_no_partial_order(
    postgres: StoppablePostgres, tmp_path: Path
) -> None:
    url = postgres.new_database()
    with serving(url, tmp_path / "server") as server:
        manager, customers = await accounts(url, customers=8)
        initial = await stock_shelves(server.base_url, manager, [5000, 5000, 5000])
        traffic = Traffic()
        clients = [
            httpx.AsyncClient(base_url=server.base_url, headers=headers, timeout=30)
            for headers in customers
        ]
        runners = [
            *(asyncio.create_task(traffic.shopper(c, list(initial))) for c in clients),
            asyncio.create_task(traffic.browser(clients[0])),
        ]
        await asyncio.sleep(1.5)
        await asyncio.to_thread(postgres.crash)
        down_from = time.monotonic()
        await asyncio.sleep(OUTAGE_SECONDS)
        down_until = time.monotonic()
        await asyncio.to_thread(postgres.start)
        await wait_until_ready(server.base_url)
        await asyncio.sleep(1.5)  # shoppers check out again on the recovered server
        traffic.stop = True
        await asyncio.gather(*runners)
        replayed_orders = await _replay_lost_checkouts(traffic)
        for client in clients:
            await client.aclose()
        assert server.process.poll() is None, "the server had to be restarted"

    statuses = {answer.status for answer in traffic.answers}
    assert statuses <= {200, 201, 409, 422, 503}, statuses
    during = [a for a in traffic.answers if a.sent > down_from + 0.5 and a.received < down_until]
    assert during, "no request was answered while the database was down"
    assert {a.status for a in during} == {503}
    after = [a for a in traffic.answers if a.sent > down_until and a.path == "/api/checkout"]
    assert 201 in {a.status for a in after}, "no checkout succeeded after the restart"

    books = await read_books(url)
    assert_books_balance(books, initial)
    placed = sum(status == 201 for _, status in traffic.checkouts.values())
    assert books.orders == placed + replayed_orders


async def _replay_lost_checkouts(traffic: Traffic) -> int:
    """Send each checkout that got a 503 again, twice, with its key: the first answer is the
    order the crash hid (or a new order of what is still in the cart, or an empty cart),
    the second is the same answer again. How many orders the replays account for."""
    orders = 0
    for key, (client, status) in traffic.checkouts.items():
        if status != 503:
            continue
        headers = {"Idempotency-Key": key}
        first = await client.post("/api/checkout", headers=headers)
        again = await client.post("/api/checkout", headers=headers)
        assert first.status_code in (201, 422), first.text
        assert (again.status_code, again.json()) == (first.status_code, first.json())
        orders += first.status_code == 201
    return orders
