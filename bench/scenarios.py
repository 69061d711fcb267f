"""What the bench asks of the shop: one entry per row of the table."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from urllib.parse import quote
from uuid import UUID

from bench.wrk import Load

# Searches shoppers type: common foods, two-word phrases, a prefix and a typo.
SEARCHES = (
    "milk", "organic", "apples", "cheddar", "smoked salmon", "chocolate", "gluten free",
    "strawberries", "bread", "olive oil", "bananna", "straw", "coffee beans", "greek yogurt",
    "chicken", "ice cream", "green tea", "pasta", "crisps", "red wine",
)  # fmt: skip
REPORTS = (
    ("report sales-by-product", "/api/reports/sales-by-product?limit=50"),
    ("report sales-by-category", "/api/reports/sales-by-category"),
    ("report sales-over-time", "/api/reports/sales-over-time?interval=month"),
)


@dataclass(frozen=True)
class Customers:
    """Customers' tokens and the products they buy, as files the Lua scripts read."""

    ids: tuple[UUID, ...]
    tokens: Path
    products: Path
    addresses: Path | None = None  # each customer's address in the bench slot's zone


@dataclass(frozen=True)
class Inputs:
    categories: Path
    searches: Path
    details: Path
    cart: Customers
    checkout_distinct: Customers
    checkout_hot: Customers
    manager_token: str
    slot: UUID  # the one slot every slot scenario books
    slot_hold: Customers
    checkout_slot: Customers
    picking_orders: Path | None = None  # orders placed and picked, ready to complete


PICKING = "picking, complete a 20-line order"


@dataclass(frozen=True)
class Scenario:
    name: str
    path: str
    script: str
    env: dict[str, str] = field(default_factory=dict)
    one_at_a_time: bool = False  # one connection instead of the configured number
    per_customer: bool = False  # one connection per wrk thread: per-connection Lua state
    customers: tuple[UUID, ...] = ()  # whose carts are emptied first
    needs: str | None = None  # a route that must exist (not 404) for the scenario to run
    orders: Path | None = None  # orders to complete: rewritten with those still being picked

    def load(self, base_url: str, connections: int, run: str) -> Load:
        connections = 1 if self.one_at_a_time else connections
        threads = connections if self.per_customer else 1
        env = {**self.env, "BENCH_RUN": run}
        return Load(base_url + self.path, self.script, env, connections, threads)


def catalog(inputs: Inputs) -> list[Scenario]:
    return [
        Scenario("popular page", "/api/products?limit=20", "report.lua"),
        Scenario("category page", "/", "paths.lua", {"BENCH_PATHS": str(inputs.categories)}),
        Scenario("search", "/", "paths.lua", {"BENCH_PATHS": str(inputs.searches)}),
        Scenario("product detail", "/", "paths.lua", {"BENCH_PATHS": str(inputs.details)}),
    ]


def shopping(inputs: Inputs) -> list[Scenario]:
    """Stateful scenarios: one connection per wrk thread, so each thread is one customer."""
    return [
        _customers("cart add/update", "cart.lua", inputs.cart, None),
        _customers("checkout, distinct products", "checkout.lua", inputs.checkout_distinct),
        _customers("checkout, one hot product", "checkout.lua", inputs.checkout_hot),
        _slot_customers("checkout with a slot", "checkout_slot.lua", inputs, inputs.checkout_slot),
        _slot_customers("booking one slot", "hold.lua", inputs, inputs.slot_hold),
    ]


def reports(inputs: Inputs) -> list[Scenario]:
    """One request at a time: a report's own latency, not a queue of 32."""
    env = {"BENCH_TOKEN": inputs.manager_token}
    return [
        Scenario(name, path, "report.lua", env, one_at_a_time=True, needs=path)
        for name, path in REPORTS
    ]


def picking(inputs: Inputs) -> list[Scenario]:
    """One manager completing picked orders one after another: a completion's own latency."""
    if inputs.picking_orders is None:
        return []
    env = {"BENCH_TOKEN": inputs.manager_token, "BENCH_ORDERS": str(inputs.picking_orders)}
    return [
        Scenario(PICKING, "", "picking.lua", env, one_at_a_time=True, orders=inputs.picking_orders)
    ]


def _customers(
    name: str, script: str, customers: Customers, needs: str | None = "/api/checkout"
) -> Scenario:
    env = {"BENCH_TOKENS": str(customers.tokens), "BENCH_PRODUCTS": str(customers.products)}
    return Scenario(name, "", script, env, per_customer=True, customers=customers.ids, needs=needs)


def _slot_customers(name: str, script: str, inputs: Inputs, customers: Customers) -> Scenario:
    scenario = _customers(name, script, customers)
    assert customers.addresses is not None
    env = {"BENCH_SLOT": str(inputs.slot), "BENCH_ADDRESSES": str(customers.addresses)}
    return replace(scenario, env={**scenario.env, **env})


def write_lines(path: Path, lines: Sequence[object]) -> Path:
    path.write_text("".join(f"{line}\n" for line in lines), encoding="utf-8")
    return path


def category_paths(slugs: Sequence[str]) -> list[str]:
    return [f"/api/products?category={slug}&limit=20" for slug in slugs]


def search_paths() -> list[str]:
    return [f"/api/products?q={quote(words)}&limit=20" for words in SEARCHES]


def detail_paths(slugs: Sequence[str]) -> list[str]:
    return [f"/api/products/{slug}" for slug in slugs]
