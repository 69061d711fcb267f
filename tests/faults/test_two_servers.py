"""Two `grocery serve` processes on one database, shoppers spread over both, checking out
at once: nothing oversells and promo limits hold, because no rule lives in process memory."""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path
from uuid import uuid4

import httpx
import pytest

from tests.faults.harness import (
    Server,
    StoppablePostgres,
    accounts,
    assert_books_balance,
    read_books,
    serving,
    stock_shelves,
)


@pytest.fixture(scope="module")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    return StoppablePostgres(tmp_path_factory.mktemp("two-servers-pg")).new_database()


@pytest.fixture(scope="module")
def servers(database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[list[Server]]:
    scratch = tmp_path_factory.mktemp("two-servers")
    with ExitStack() as stack:
        yield [
            stack.enter_context(serving(database_url, Path(scratch) / name, workers=2))
            for name in ("a", "b")
        ]


def _clients(servers: list[Server], customers: list[dict[str, str]]) -> list[httpx.AsyncClient]:
    """One client per customer, taking turns between the servers."""
    return [
        httpx.AsyncClient(base_url=servers[n % 2].base_url, headers=headers, timeout=60)
        for n, headers in enumerate(customers)
    ]


async def _fill_carts(clients: list[httpx.AsyncClient], product: str) -> None:
    for client in clients:
        added = await client.post("/api/cart/items", json={"product_id": product, "quantity": 1})
        assert added.status_code == 201, added.text


async def _check_out_together(
    clients: list[httpx.AsyncClient], **body: str
) -> list[httpx.Response]:
    return list(
        await asyncio.gather(
            *(
                client.post(
                    "/api/checkout", json=body or None, headers={"Idempotency-Key": str(uuid4())}
                )
                for client in clients
            )
        )
    )


async def test_no_oversell_across_servers(database_url: str, servers: list[Server]) -> None:
    manager, customers = await accounts(database_url, customers=24)
    initial = await stock_shelves(servers[0].base_url, manager, [8])
    product = next(iter(initial))
    clients = _clients(servers, customers)
    # Each cart holds one of the eight; checking out together, only eight can have theirs.
    await _fill_carts(clients, product)
    answers = await _check_out_together(clients)
    for client in clients:
        await client.aclose()

    statuses = Counter(answer.status_code for answer in answers)
    assert statuses == {201: 8, 409: 16}, statuses
    assert {a.json()["code"] for a in answers if a.status_code == 409} == {"insufficient_stock"}
    books = await read_books(database_url)
    assert books.stock[product] == 0
    assert_books_balance(books, initial)


async def test_a_promo_limit_holds_across_servers(database_url: str, servers: list[Server]) -> None:
    manager, customers = await accounts(database_url, customers=16)
    initial = await stock_shelves(servers[1].base_url, manager, [100])
    product = next(iter(initial))
    async with httpx.AsyncClient(base_url=servers[0].base_url, headers=manager) as staff:
        code = f"FIVE{uuid4().hex[:6]}"
        promo = await staff.post(
            "/api/promo-codes",
            json={"code": code, "discount_type": "fixed", "value": "1.00", "max_uses": 5},
        )
        assert promo.status_code == 201, promo.text
    clients = _clients(servers, customers)
    await _fill_carts(clients, product)
    answers = await _check_out_together(clients, promo_code=code)
    for client in clients:
        await client.aclose()

    statuses = Counter(answer.status_code for answer in answers)
    assert statuses == {201: 5, 422: 11}, statuses
    assert {a.json()["code"] for a in answers if a.status_code == 422} == {
        "promo_usage_limit_reached"
    }
    assert all(a.json()["discount"] == "1.00" for a in answers if a.status_code == 201)
    books = await read_books(database_url)
    promo_id = promo.json()["id"]
    assert books.promo_uses[promo_id] == books.redemptions[promo_id] == 5
    assert_books_balance(books, initial)


async def test_one_cart_makes_one_order_whichever_servers_take_it(
    database_url: str, servers: list[Server]
) -> None:
    manager, customers = await accounts(database_url, customers=1)
    initial = await stock_shelves(servers[0].base_url, manager, [50])
    product = next(iter(initial))
    same_shopper = _clients(servers, customers * 6)  # one customer, six tabs, two servers
    await _fill_carts(same_shopper[:1], product)
    answers = await _check_out_together(same_shopper)
    for client in same_shopper:
        await client.aclose()

    statuses = Counter(answer.status_code for answer in answers)
    assert statuses[201] == 1, statuses
    assert set(statuses) <= {201, 409, 422}, statuses
    books = await read_books(database_url)
    assert books.units_sold[product] == 1
    assert_books_balance(books, initial)


async def _prices_seen(base_url: str, product: str, reads: int = 16) -> set[str]:
    """The price `reads` reads on fresh connections see, sent together: spread over the
    server's workers, each of which keeps the page."""
    fresh = httpx.Limits(max_keepalive_connections=0)
    async with httpx.AsyncClient(base_url=base_url, limits=fresh, timeout=10) as client:
        answers = await asyncio.gather(
            *(client.get(f"/api/products/{product}") for _ in range(reads))
        )
    assert {answer.status_code for answer in answers} == {200}
    return {answer.json()["price"] for answer in answers}


async def test_a_change_through_one_server_shows_on_every_worker_within_100_ms(
    database_url: str, servers: list[Server]
) -> None:
    """Each worker keeps the page and serves it with no round trip; a manager's edit is
    pushed to all of them (LISTEN/NOTIFY), so 100 ms after it was answered none shows the
    old price."""
    manager, _ = await accounts(database_url, customers=0)
    (product,) = await stock_shelves(servers[0].base_url, manager, [5], price="1.00")
    for server in servers:
        assert await _prices_seen(server.base_url, product) == {"1.00"}  # kept everywhere

    for cents, editing in zip(range(101, 107), [0, 1, 0, 1, 0, 1], strict=True):
        price = f"{cents / 100:.2f}"
        async with httpx.AsyncClient(base_url=servers[editing].base_url, headers=manager) as staff:
            edited = await staff.patch(f"/api/products/{product}", json={"price": price})
        assert edited.status_code == 200, edited.text
        await asyncio.sleep(0.1)
        seen = [await _prices_seen(server.base_url, product) for server in servers]
        assert seen == [{price}, {price}], (price, seen)
