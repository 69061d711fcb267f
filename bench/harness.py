"""bench/run's driver: build the shop in a scratch PostgreSQL, serve it the production way
with 1 then 2 workers, load it with wrk, run the reference servers, check the stock
invariants, print one table and write it into bench/RESULTS.md.

Environment: BENCH_SECONDS (10), BENCH_WARMUP (2), BENCH_CONNECTIONS (32), BENCH_WORKERS
("1 2"), BENCH_DSN (a PostgreSQL server to use instead of a scratch embedded one; the bench
makes and drops its own `grocery_bench` database there), BENCH_ONLY (comma-separated
scenario name prefixes; such a partial run leaves RESULTS.md alone), BENCH_REFERENCE=0 (skip the
reference servers), BENCH_DIR (a scratch directory to keep; with BENCH_REUSE=1 the data set
built there is reused), BENCH_PORT (18790; the card checkout's localstripe takes the next).
"""

from __future__ import annotations

import asyncio
import os
import platform
import secrets
import shutil
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from uuid import UUID

import asyncpg
import msgspec
import psutil  # type: ignore[import-untyped]
from bench import (
    cpu,
    dataset,
    invariants,
    picking,
    reference,
    reports,
    scenarios,
    server,
    slots,
    table,
    wrk,
)
from bench.scenarios import Customers, Inputs, Scenario
from tests.integration.stripe_server import SECRET_KEY, WEBHOOK_SECRET, start_localstripe

from grocery.adapters.security import Argon2PasswordHasher, JwtCodec
from grocery.adapters.sql import migrate
from grocery.config import load_settings, normalise_database_url
from grocery.core.identity import Principal, Role
from grocery.entrypoints.wiring import token_policy

REPO = Path(__file__).resolve().parents[1]
RESULTS = REPO / "bench" / "RESULTS.md"
DATABASE = "grocery_bench"
HOT_STOCK = DISTINCT_STOCK = 1_000_000  # enough for any run: the checkouts never run dry
PICKING_RATE = 150  # completions a second one manager can't outrun: orders enough for a run
RESULTS_BEGIN, RESULTS_END = "<!-- bench/run: begin -->", "<!-- bench/run: end -->"


@dataclass(frozen=True)
class Config:
    seconds: int
    warmup: int
    connections: int
    workers: tuple[int, ...]
    port: int
    dsn: str | None
    only: frozenset[str]
    reference: bool
    workdir: Path | None
    reuse: bool

    @classmethod
    def of(cls, env: Mapping[str, str]) -> Config:
        only = {name.strip() for name in env.get("BENCH_ONLY", "").split(",") if name.strip()}
        return cls(
            seconds=int(env.get("BENCH_SECONDS", "10")),
            warmup=int(env.get("BENCH_WARMUP", "2")),
            connections=int(env.get("BENCH_CONNECTIONS", "32")),
            workers=tuple(int(n) for n in env.get("BENCH_WORKERS", "1 2").split()),
            port=int(env.get("BENCH_PORT", "18790")),
            dsn=env.get("BENCH_DSN") or None,
            only=frozenset(only),
            reference=env.get("BENCH_REFERENCE", "1") != "0",
            workdir=Path(env["BENCH_DIR"]).resolve() if env.get("BENCH_DIR") else None,
            reuse=env.get("BENCH_REUSE") == "1",
        )

    def wanted(self, scenario: Scenario) -> bool:
        return self.wants(scenario.name)

    def wants(self, scenario: str) -> bool:
        # By prefix: names such as "checkout, distinct products" hold the separator itself,
        # so BENCH_ONLY=checkout picks both checkouts.
        return not self.only or any(scenario.startswith(name) for name in self.only)


@dataclass(frozen=True)
class Postgres:
    server: str  # libpq URL of the server's own `postgres` database (for run.sh)
    dsn: str  # the bench database
    processes: cpu.Processes | None = None  # the server's, when it runs on this machine


# --- scratch space and PostgreSQL ---------------------------------------------


@contextmanager
def scratch(config: Config) -> Iterator[Path]:
    if config.workdir is not None:
        config.workdir.mkdir(parents=True, exist_ok=True)
        yield config.workdir
        return
    work = Path(tempfile.mkdtemp(prefix="grocery-bench-"))
    work.chmod(0o755)  # the embedded server runs as its own user when we are root
    try:
        yield work
    finally:
        shutil.rmtree(work, ignore_errors=True)


@contextmanager
def postgres(config: Config, work: Path) -> Iterator[Postgres]:
    if config.dsn is not None:
        yield Postgres(config.dsn, _on_database(config.dsn, DATABASE))
        return
    from grocery.adapters.embedded_pg import EmbeddedPostgres

    embedded = EmbeddedPostgres(work / "pg")
    try:
        server_url = f"postgresql://postgres@/postgres?host={embedded.socket_dir}"
        yield Postgres(server_url, _on_database(server_url, DATABASE))
    finally:
        embedded.stop()


def _on_database(url: str, name: str) -> str:
    return urlsplit(url)._replace(path=f"/{name}").geturl()


async def fresh_database(pg: Postgres, reuse: bool) -> bool:
    """Make the bench database; True when a built one was kept (BENCH_REUSE=1)."""
    connection = await asyncpg.connect(pg.server)
    try:
        exists = await connection.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", DATABASE)
        if exists and reuse and await _is_built(pg):
            return True
        await connection.execute(f'DROP DATABASE IF EXISTS "{DATABASE}" WITH (FORCE)')
        await connection.execute(f'CREATE DATABASE "{DATABASE}"')
        return False
    finally:
        await connection.close()


async def _is_built(pg: Postgres) -> bool:
    connection = await asyncpg.connect(pg.dsn)
    try:
        return bool(await connection.fetchval("SELECT to_regclass('bench_built') IS NOT NULL"))
    finally:
        await connection.close()


# --- the data set and what the scenarios read ----------------------------------


async def build(pg: Postgres) -> None:
    connection = await asyncpg.connect(pg.dsn)
    try:
        started = time.monotonic()
        await dataset.build_catalog(connection)
        await dataset.build_customers(connection, Argon2PasswordHasher().hash(dataset.PASSWORD))
        print(f"bench: catalog and customers built in {time.monotonic() - started:.0f} s")
        await order_history(connection)
        await connection.execute("CREATE TABLE bench_built ()")
    finally:
        await connection.close()


async def order_history(connection: asyncpg.Connection) -> None:
    """BENCH_ORDER_LINES order lines (1,000,000) from bench/reports.py's generator, which
    also sets every product's sales counters (units_sold is the catalog's popularity) and
    the reports' rollups from them."""
    started = time.monotonic()
    await reports.generate_order_lines(connection)
    await connection.execute("VACUUM FULL products")  # as compact as a freshly loaded shop
    print(f"bench: order history built in {time.monotonic() - started:.0f} s")


@dataclass(frozen=True)
class CheckoutCpuInputs:
    """Who checks out, with what and in which slot, when checkout's CPU is measured."""

    slot: slots.SlotInputs
    customers: Sequence[UUID]
    tokens: Sequence[str]
    products: Sequence[UUID]


@dataclass(frozen=True)
class CheckoutCpu:
    workers: int
    without_slot: cpu.CpuUse
    with_slot: cpu.CpuUse
    failures: int

    @property
    def ratio(self) -> float:
        return self.with_slot.worker_ms / self.without_slot.worker_ms


async def prepare(pg: Postgres, work: Path, secret: str) -> tuple[Inputs, UUID, CheckoutCpuInputs]:
    """The files the Lua scripts read, the tokens, and the checkout products (stocked up)."""
    connection = await asyncpg.connect(pg.dsn)
    try:
        chosen = [r["id"] for r in await connection.fetch(
            "SELECT id FROM products WHERE NOT archived ORDER BY id LIMIT 33"
        )]  # fmt: skip
        hot, distinct = chosen[0], chosen[1:]
        await dataset.stock_up(connection, chosen, HOT_STOCK)
        cart_products = [r["id"] for r in await connection.fetch(
            "SELECT id FROM products WHERE stock >= 100 AND NOT archived ORDER BY id DESC LIMIT 96"
        )]  # fmt: skip
        slugs = [r["slug"] for r in await connection.fetch("SELECT slug FROM categories")]
        details = [r["slug"] for r in await connection.fetch(
            "SELECT slug FROM (SELECT slug, row_number() OVER (ORDER BY units_sold DESC, id)"
            " AS n FROM products WHERE NOT archived) ranked WHERE n % 100 = 1"
        )]  # fmt: skip
        # 96 for the cart and checkouts, one who places the picking orders, the rest booking.
        customers = await dataset.customer_ids(connection, 164 + slots.CPU_CHECKOUTS)
        slot = await slots.prepare(connection, customers[100:])
        manager = await dataset.manager_id(connection)
        await connection.execute("VACUUM ANALYZE")
        await checkpoint(connection)
    finally:
        await connection.close()
    mint = token_minter(secret)
    write = scenarios.write_lines

    def group(name: str, ids: Sequence[UUID], products: Sequence[UUID]) -> Customers:
        tokens = write(work / f"{name}-tokens.txt", [mint(i, Role.CUSTOMER) for i in ids])
        return Customers(tuple(ids), tokens, write(work / f"{name}-products.txt", products))

    def at_home(name: str, ids: Sequence[UUID], products: Sequence[UUID]) -> Customers:
        addresses = write(work / f"{name}-addresses.txt", [slot.addresses[i] for i in ids])
        return replace(group(name, ids, products), addresses=addresses)

    inputs = Inputs(
        categories=write(work / "categories.txt", scenarios.category_paths(slugs)),
        searches=write(work / "searches.txt", scenarios.search_paths()),
        details=write(work / "details.txt", scenarios.detail_paths(details)),
        cart=group("cart", customers[:32], cart_products),
        checkout_distinct=group("distinct", customers[32:64], distinct),
        checkout_hot=group("hot", customers[64:96], [hot]),
        manager_token=mint(manager, Role.MANAGER),
        slot=slot.slot_id,
        slot_hold=at_home("slot-hold", customers[100:132], distinct),
        checkout_slot=at_home("slot-checkout", customers[132:164], distinct),
    )
    cpu_customers = customers[164:]
    checkout_cpu = CheckoutCpuInputs(
        slot=slot,
        customers=cpu_customers,
        tokens=[mint(i, Role.CUSTOMER) for i in cpu_customers],
        products=distinct,
    )
    return inputs, hot, checkout_cpu


def picking_orders(config: Config, pg: Postgres, work: Path, secret: str, inputs: Inputs) -> Inputs:
    """Orders placed and picked, ready to complete (bench/picking.py): one through the API,
    on a server of its own, the rest copies of it; their ids in a file for the Lua script."""
    started = time.monotonic()
    chosen, customer = asyncio.run(_picking_products(pg))
    env = server_env(pg, secret, work)
    with server.serving(env, 1, config.port, work, work / "server-picking.log") as shop:
        mint = token_minter(secret)
        token = mint(customer, Role.CUSTOMER)
        original = picking.place_and_pick(shop.base_url, token, inputs.manager_token, chosen)
    count = PICKING_RATE * (config.seconds + config.warmup) * len(config.workers)
    ids = asyncio.run(_copied(pg, original, count))
    print(f"bench: {count} orders picked and ready in {time.monotonic() - started:.0f} s")
    path = scenarios.write_lines(work / "picking-orders.txt", ids)
    return replace(inputs, picking_orders=path)


async def _picking_products(pg: Postgres) -> tuple[list[UUID], UUID]:
    connection = await asyncpg.connect(pg.dsn)
    try:
        chosen = await picking.products(connection)
        customer = (await dataset.customer_ids(connection, 1, offset=96))[0]
        return chosen, customer
    finally:
        await connection.close()


async def _copied(pg: Postgres, original: UUID, count: int) -> list[UUID]:
    connection = await asyncpg.connect(pg.dsn)
    try:
        ids = await picking.copies(connection, original, count)
        await connection.execute("VACUUM ANALYZE orders, order_lines, products, stock_movements")
        await checkpoint(connection)
        return ids
    finally:
        await connection.close()


async def checkpoint(connection: asyncpg.Connection) -> None:
    """Write out what building the shop dirtied, so that the first scenarios don't pay for
    flushing it (and for the full-page images every first write after a checkpoint logs).
    A server that doesn't let the bench's role checkpoint is measured as it is."""
    try:
        await connection.execute("CHECKPOINT")
    except asyncpg.InsufficientPrivilegeError:
        print("bench: no CHECKPOINT allowed; the build's writes may flush during the run")


def server_env(pg: Postgres, secret: str, work: Path) -> dict[str, str]:
    return {
        "GROCERY_ENV": "production",
        "GROCERY_DATABASE_URL": pg.dsn,
        "GROCERY_SECRET_KEY": secret,
        "GROCERY_RUN_WORKER": "false",
        "GROCERY_STORAGE_URL": "memory://",
        "GROCERY_ACCESS_TOKEN_TTL": "7200",  # outlives the run
        "GROCERY_DATA_DIR": str(work / "data"),
    }


def token_minter(secret: str) -> Any:
    """Access tokens signed as the server signs them (same secret, issuer and audience)."""
    settings = load_settings(
        {"GROCERY_SECRET_KEY": secret, "GROCERY_ACCESS_TOKEN_TTL": "7200"},
        dotenv=Path(os.devnull),
    )
    codec = JwtCodec(settings.secret_key, token_policy(settings))

    def mint(user_id: UUID, role: Role) -> str:
        return codec.issue_access(Principal(user_id, role), datetime.now(UTC))[0]

    return mint


# --- measuring ----------------------------------------------------------------


def still_picking(pg: Postgres, orders: Path | None) -> None:
    """Rewrite the scenario's order file with the orders not completed yet, in their order."""
    if orders is None:
        return
    listed = [UUID(line) for line in orders.read_text(encoding="utf-8").split()]
    left = asyncio.run(_not_completed(pg, listed))
    if not left:
        raise RuntimeError("bench: every picking order is completed; raise PICKING_RATE")
    scenarios.write_lines(orders, [order for order in listed if order in left])


async def _not_completed(pg: Postgres, orders: list[UUID]) -> set[UUID]:
    connection = await asyncpg.connect(pg.dsn)
    try:
        rows = await connection.fetch(
            "SELECT id FROM orders WHERE id = ANY($1::uuid[]) AND picked_at IS NULL", orders
        )
        return {row["id"] for row in rows}
    finally:
        await connection.close()


async def empty_carts(pg: Postgres, customers: Sequence[UUID]) -> None:
    if not customers:
        return
    connection = await asyncpg.connect(pg.dsn)
    try:
        await connection.execute(
            "DELETE FROM cart_items WHERE user_id = ANY($1::uuid[])", list(customers)
        )
    finally:
        await connection.close()


def status_of(url: str, body: dict[str, str] | None = None) -> int:
    data = None if body is None else msgspec.json.encode(body)
    headers = {} if body is None else {"Content-Type": "application/json"}
    request = urllib.request.Request(url, data=data, headers=headers)  # noqa: S310 - loopback
    try:
        with urllib.request.urlopen(request, timeout=10) as answer:  # noqa: S310
            return int(answer.status)
    except urllib.error.HTTPError as error:
        return error.code


CHECKOUT_CPU = "checkout CPU, with and without a slot"


def measure(
    config: Config,
    pg: Postgres,
    work: Path,
    inputs: Inputs,
    secret: str,
    checkout_cpu: CheckoutCpuInputs,
) -> tuple[list[table.Row], list[str], list[reference.Reference], list[CheckoutCpu]]:
    """Every scenario with each worker count; the reference servers run right after our
    first popular page, so the load of a shared machine drifts least between the figures
    compared (our server idles meanwhile)."""
    rows: list[table.Row] = []
    skipped: list[str] = []
    refs: list[reference.Reference] = []
    cpus: list[CheckoutCpu] = []
    run_id = secrets.token_hex(3)
    env = server_env(pg, secret, work)
    every = [
        *scenarios.catalog(inputs),
        *scenarios.shopping(inputs),
        *scenarios.reports(inputs),
        *scenarios.picking(inputs),
    ]
    for workers in config.workers:
        with server.serving(env, workers, config.port, work, work / "server.log") as shop:
            login = {"username": "customer00001", "password": dataset.PASSWORD}
            if status_of(shop.base_url + "/api/auth/login", login) != 200:
                raise RuntimeError("a bench customer could not log in")
            for number, scenario in enumerate(every):
                if not config.wanted(scenario):
                    continue
                if scenario.needs and status_of(shop.base_url + scenario.needs) == 404:
                    skipped.append(f"{scenario.name}: {scenario.needs} does not exist yet")
                    continue
                label = f"{run_id}-{workers}-{number}"
                rows.append(_one(config, pg, shop, scenario, workers, label))
                if scenario is every[0] and config.reference and not refs:
                    refs = references(config, pg)
            if config.wants(CHECKOUT_CPU):
                cpus.append(measure_checkout_cpu(pg, shop, workers, checkout_cpu))
        if workers == 1:
            rows += _variants(config, pg, env, work, every)
            rows += _stripe_checkout(config, pg, env, work, every)
    if config.reference and not refs:
        refs = references(config, pg)
    return rows, sorted(set(skipped)), refs, cpus


def measure_checkout_cpu(
    pg: Postgres, shop: server.Server, workers: int, given: CheckoutCpuInputs
) -> CheckoutCpu:
    """Checkout's CPU per request without a slot and with one, each measured twice in turn
    (a shared machine's load drifts less between neighbours), on carts filled in SQL."""
    spent: dict[bool, list[cpu.CpuUse]] = {False: [], True: []}
    failures = 0
    for with_slot in (False, True, False, True):
        held = given.slot if with_slot else None
        asyncio.run(slots.fill_carts(pg.dsn, given.customers, given.products, held))
        meter = cpu.Meter(shop.workers, pg.processes)
        use, failed = asyncio.run(slots.checkouts(shop.base_url, given.tokens, meter))
        spent[with_slot].append(use)
        failures += failed
    found = CheckoutCpu(workers, _mean(spent[False]), _mean(spent[True]), failures)
    print(
        f"bench: checkout CPU/request, {workers} worker(s): without a slot"
        f" {found.without_slot.worker_ms:.2f} ms, with a slot {found.with_slot.worker_ms:.2f} ms"
        f" ({found.ratio - 1:+.0%}), {failures} not 201"
    )
    return found


def _mean(uses: Sequence[cpu.CpuUse]) -> cpu.CpuUse:
    pg = [use.postgres_ms for use in uses if use.postgres_ms is not None]
    worker = sum(use.worker_ms for use in uses) / len(uses)
    return cpu.CpuUse(worker, sum(pg) / len(pg) if pg else None)


def checkout_cpu_text(found: Sequence[CheckoutCpu]) -> list[str]:
    def figures(use: cpu.CpuUse) -> str:
        pg = "" if use.postgres_ms is None else f" + PG {use.postgres_ms:.2f}"
        return f"worker {use.worker_ms:.2f}{pg} ms"

    return [
        f"checkout CPU per request ({workers_text(one.workers)}, {2 * slots.CPU_CHECKOUTS}"
        f" checkouts each way, {slots.CONCURRENCY} at a time, holds over {slots.CPU_SLOTS} slots):"
        f" without a slot"
        f" {figures(one.without_slot)}, with a slot {figures(one.with_slot)}"
        f" ({one.ratio - 1:+.1%}); {one.failures} not 201"
        for one in found
    ]


def workers_text(workers: int) -> str:
    return f"{workers} worker" + ("s" if workers > 1 else "")


def references(config: Config, pg: Postgres) -> list[reference.Reference]:
    found, output = reference.run(REPO, pg.server, config.seconds, config.connections)
    if not found:
        print(f"bench: the reference script gave no figures:\n{output}", file=sys.stderr)
    return found


def _one(
    config: Config,
    pg: Postgres,
    shop: server.Server,
    scenario: Scenario,
    workers: int,
    label: str,
    also: Sequence[psutil.Process] = (),
) -> table.Row:
    """The scenario's row; `also` are other processes the requests cost CPU in (a payment
    provider's), measured apart from the workers."""
    asyncio.run(empty_carts(pg, scenario.customers))
    still_picking(pg, scenario.orders)
    if config.warmup:
        wrk.run(scenario.load(shop.base_url, config.connections, label + "w"), config.warmup)
        # A checkout still in flight when the warm-up stopped would empty a cart the
        # measured run has just filled (a 422): let it land, then start from empty carts.
        time.sleep(1)
        asyncio.run(empty_carts(pg, scenario.customers))
        still_picking(pg, scenario.orders)
    load = scenario.load(shop.base_url, config.connections, label)
    meter = cpu.Meter(shop.workers, pg.processes)
    provider = cpu.Meter(lambda: list(also), None)
    meter.start()
    provider.start()
    figures = wrk.run(load, config.seconds)
    used = meter.stop(figures.all_requests)
    provider_ms = provider.stop(figures.all_requests).worker_ms if also else None
    print(
        f"bench: {scenario.name:32} {workers} worker(s) {figures.requests_per_s:8.0f} req/s"
        f"  p50 {figures.p50_ms:6.1f} ms  p99 {figures.p99_ms:6.1f} ms  errors {figures.failures}"
        f"  CPU/request worker {used.worker_ms:.2f} ms"
    )
    rss = shop.worker_rss_mib()
    return table.Row(scenario.name, workers, load.connections, figures, rss, used, provider_ms)


# Catalog scenarios again on a server set otherwise: what the access log costs, and what the
# storefront's kept pages save (their uncached path, measured the same way).
VARIANTS = (
    ("popular page", "access log off", {"GROCERY_LOG_LEVEL": "warning"}),
    ("popular page", "cache off", {"GROCERY_CATALOG_CACHE_SECONDS": "0"}),
    ("search", "cache off", {"GROCERY_CATALOG_CACHE_SECONDS": "0"}),
)


def _variants(
    config: Config, pg: Postgres, env: Mapping[str, str], work: Path, every: Sequence[Scenario]
) -> list[table.Row]:
    rows: list[table.Row] = []
    for name, how, overrides in VARIANTS:
        scenario = next(s for s in every if s.name == name)
        if not config.wanted(scenario):
            continue
        log = work / f"server-{how.replace(' ', '-')}.log"
        with server.serving({**env, **overrides}, 1, config.port, work, log) as shop:
            row = _one(config, pg, shop, scenario, 1, how.replace(" ", "-"))
        rows.append(
            table.Row(f"{name}, {how}", 1, row.connections, row.figures, row.rss_mib, row.cpu)
        )
    return rows


# Checkout paid by card: the shop as configured for Stripe, against localstripe on loopback
# (started as the tests start it), each customer's body carrying a test card. Next to the
# checkout row above, its CPU is what the provider's round trips cost.
STRIPE_CHECKOUT = "checkout, distinct products"
STRIPE_BODY = '{"payment_method": "pm_card_visa"}'


def _stripe_checkout(
    config: Config, pg: Postgres, env: Mapping[str, str], work: Path, every: Sequence[Scenario]
) -> list[table.Row]:
    scenario = next(s for s in every if s.name == STRIPE_CHECKOUT)
    if not config.wants(f"{STRIPE_CHECKOUT}, stripe"):
        return []
    port = config.port + 1
    stripe = start_localstripe(port, work / "localstripe.log")
    try:
        overrides = {
            "GROCERY_PAYMENT_PROVIDER": "stripe",
            "STRIPE_SECRET_KEY": SECRET_KEY,
            "STRIPE_WEBHOOK_SECRET": WEBHOOK_SECRET,
            "STRIPE_API_BASE": f"http://127.0.0.1:{port}",
        }
        paying = replace(
            scenario,
            name=f"{STRIPE_CHECKOUT}, stripe",
            env={**scenario.env, "BENCH_CHECKOUT_BODY": STRIPE_BODY},
        )
        log = work / "server-stripe.log"
        label = f"{secrets.token_hex(3)}-stripe"  # Idempotency-Keys unlike a reused run's
        with server.serving({**env, **overrides}, 1, config.port, work, log) as shop:
            return [_one(config, pg, shop, paying, 1, label, [psutil.Process(stripe.pid)])]
    finally:
        stripe.terminate()
        stripe.wait(10)


# --- goals, the record --------------------------------------------------------


def goals(
    rows: Sequence[table.Row],
    refs: Sequence[reference.Reference],
    cpus: Sequence[CheckoutCpu] = (),
) -> list[table.Goal]:
    def find(name: str, workers: int = 1) -> table.Row | None:
        return next((r for r in rows if r.scenario == name and r.workers == workers), None)

    found: list[table.Goal] = []
    popular = find("popular page")
    by_name = {ref.name: ref for ref in refs}
    ceiling, drf = by_name.get("ceiling-products"), by_name.get("drf-cursor-products")
    if popular and ceiling:
        ratio = popular.figures.requests_per_s / ceiling.requests_per_s
        found.append(table.Goal("popular page >= 50% of the ceiling", ratio >= 0.5, f"{ratio:.0%}"))
    if popular and drf:
        ratio = popular.figures.requests_per_s / drf.requests_per_s
        found.append(
            table.Goal("popular page >= 5x the DRF peer (cursor)", ratio >= 5, f"{ratio:.1f}x")
        )
    if search := find("search"):
        p99 = search.figures.p99_ms
        found.append(table.Goal("search p99 < 50 ms at 32 connections", p99 < 50, f"{p99:.1f} ms"))
    if checkout := find("checkout, distinct products"):
        p99 = checkout.figures.p99_ms
        found.append(
            table.Goal(
                "checkout p99 < 100 ms, 32 customers, distinct products", p99 < 100, f"{p99:.1f} ms"
            )
        )
    if report := find("report sales-by-product"):
        p50 = report.figures.p50_ms
        found.append(table.Goal("sales-by-product p50 < 200 ms", p50 < 200, f"{p50:.1f} ms"))
    if rows:
        rss = max(max(row.rss_mib, default=0) for row in rows)
        found.append(table.Goal("RSS < 200 MiB per worker", rss < 200, f"at most {rss:.0f} MiB"))
    for one in cpus:
        found.append(
            table.Goal(
                f"checkout CPU with a slot within 10% of without ({workers_text(one.workers)})",
                one.ratio <= 1.1,
                f"{one.ratio - 1:+.1%}",
            )
        )
    return found


async def on_this_machine(pg: Postgres) -> Postgres:
    """`pg` with its server's processes, for measuring their CPU, when they are local."""
    connection = await asyncpg.connect(pg.dsn)
    try:
        processes = cpu.postgres_tree(await connection.fetchval("SELECT pg_backend_pid()"))
    finally:
        await connection.close()
    return replace(pg, processes=processes)


async def postgres_version(pg: Postgres) -> str:
    connection = await asyncpg.connect(pg.dsn)
    try:
        return str(await connection.fetchval("SHOW server_version")).split()[0]
    finally:
        await connection.close()


def machine(pg_version: str) -> str:
    memory = psutil.virtual_memory().total / 2**30
    return (
        f"{os.cpu_count()} CPUs ({platform.machine()}), {memory:.0f} GiB memory, "
        f"PostgreSQL {pg_version}, Python {platform.python_version()}"
    )


def record(config: Config, text: str) -> None:
    """The generated block of RESULTS.md; the notes written around it by hand stay."""
    block = f"{RESULTS_BEGIN}\n{text}\n{RESULTS_END}"
    old = RESULTS.read_text(encoding="utf-8") if RESULTS.exists() else ""
    if RESULTS_BEGIN in old and RESULTS_END in old:
        before, _, rest = old.partition(RESULTS_BEGIN)
        new = before + block + rest.partition(RESULTS_END)[2]
    else:
        new = f"# Benchmark results\n\n{block}\n{old}"
    RESULTS.write_text(new, encoding="utf-8")


def report(
    config: Config,
    rows: Sequence[table.Row],
    refs: Sequence[reference.Reference],
    checks: Sequence[invariants.Check],
    skipped: Sequence[str],
    pg_version: str,
    cpus: Sequence[CheckoutCpu] = (),
) -> str:
    lines = table.rows_text(rows, refs)
    ratios = table.reference_ratios(rows, refs)
    when = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    parts = [
        f"Run {when} on {machine(pg_version)}.",
        f"wrk {config.seconds} s per scenario after a {config.warmup} s warm-up,"
        f" {config.connections} connections unless the table says otherwise.",
        "",
        table.markdown(lines),
        "",
        *(f"- {line}" for line in ratios),
        *(f"- {line}" for line in table.notes(rows)),
        *(f"- {line}" for line in checkout_cpu_text(cpus)),
        *(f"- skipped {line}" for line in skipped),
        "",
        "Goals:",
        "",
        *(f"- {line}" for line in table.goals_text(goals(rows, refs, cpus))),
        "",
        "Invariants after the run:",
        "",
        *(f"- {line}" for line in table.checks_text(checks)),
    ]
    print("\n" + table.plain(lines))
    for line in [*ratios, *table.notes(rows), *checkout_cpu_text(cpus), *skipped]:
        print(line)
    print("\ngoals:", *table.goals_text(goals(rows, refs, cpus)), sep="\n  ")
    print("invariants:", *table.checks_text(checks), sep="\n  ")
    return "\n".join(parts)


async def check_invariants(pg: Postgres, hot: UUID) -> list[invariants.Check]:
    connection = await asyncpg.connect(pg.dsn)
    try:
        return await invariants.check(connection, hot)
    finally:
        await connection.close()


async def take_snapshot(pg: Postgres) -> None:
    connection = await asyncpg.connect(pg.dsn)
    try:
        await invariants.snapshot(connection)
    finally:
        await connection.close()


def main() -> int:
    config = Config.of(os.environ)
    secret = secrets.token_urlsafe(48)
    started = time.monotonic()
    with scratch(config) as work, postgres(config, work) as pg:
        reused = asyncio.run(fresh_database(pg, config.reuse))
        migrate.upgrade(normalise_database_url(pg.dsn, "BENCH_DSN"))
        if not reused:
            asyncio.run(build(pg))
        pg = asyncio.run(on_this_machine(pg))
        inputs, hot, checkout_cpu = asyncio.run(prepare(pg, work, secret))
        if config.wants(scenarios.PICKING):
            inputs = picking_orders(config, pg, work, secret, inputs)
        asyncio.run(take_snapshot(pg))
        rows, skipped, refs, cpus = measure(config, pg, work, inputs, secret, checkout_cpu)
        checks = asyncio.run(check_invariants(pg, hot))
        version = asyncio.run(postgres_version(pg))
    text = report(config, rows, refs, checks, skipped, version, cpus)
    if not config.only:
        record(config, text)
        print(f"\nbench: written to bench/RESULTS.md ({time.monotonic() - started:.0f} s in all)")
    return 0 if all(check.passed for check in checks) else 1


if __name__ == "__main__":
    sys.exit(main())
