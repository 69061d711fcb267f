"""Helpers for checkout, order and alert tests: a manager stocking a fresh aisle, carts,
checkouts, and a webhook receiver on loopback."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import httpx

from tests.integration.catalog_shop import Client, Json, add_product, tag

if TYPE_CHECKING:  # conftest imports this module for its `shop` fixture
    from tests.integration.conftest import SignedInUser

AnyClient = Client | httpx.AsyncClient


class Shop:
    """Stocks the shelves and sets up promo codes as a manager, for one test."""

    def __init__(self, client: Client, manager: SignedInUser, aisle: Json) -> None:
        self.client, self.manager, self.aisle = client, manager, aisle

    async def product(
        self, price: str = "2.50", stock: int = 10, threshold: int | None = 0
    ) -> Json:
        """`threshold=None` sends none: the product gets the configured low-stock threshold."""
        sent = {} if threshold is None else {"low_stock_threshold": threshold}
        name = f"Item {tag()}"
        return await add_product(
            self.client, self.manager.headers, self.aisle, name, price=price, stock=stock, **sent
        )

    async def now(self, product: Json) -> Json:
        """The product as the catalog shows it now (stock, units_sold)."""
        response = await self.client.get(f"/api/products/{product['id']}")
        assert response.status_code == 200, response.text
        return dict(response.json())

    async def edit(self, product: Json, **fields: Any) -> Json:
        response = await self.client.patch(
            f"/api/products/{product['id']}", json=fields, headers=self.manager.headers
        )
        assert response.status_code == 200, response.text
        return dict(response.json())

    async def promo(self, **terms: Any) -> Json:
        body = {"code": f"P{tag()}", "discount_type": "percent", "value": "10", **terms}
        response = await self.client.post(
            "/api/promo-codes", json=body, headers=self.manager.headers
        )
        assert response.status_code == 201, response.text
        return dict(response.json())

    async def promo_now(self, promo: Json) -> Json:
        response = await self.client.get(
            f"/api/promo-codes/{promo['id']}", headers=self.manager.headers
        )
        assert response.status_code == 200, response.text
        return dict(response.json())

    async def fill(self, user: SignedInUser, *lines: tuple[Json, int]) -> None:
        """Put these (product, quantity) lines in the user's cart, in this order."""
        for product, quantity in lines:
            response = await self.client.post(
                "/api/cart/items",
                json={"product_id": product["id"], "quantity": quantity},
                headers=user.headers,
            )
            assert response.status_code in (200, 201), response.text

    async def apply(self, user: SignedInUser, promo: Json) -> None:
        response = await self.client.put(
            "/api/cart/promo", json={"code": promo["code"]}, headers=user.headers
        )
        assert response.status_code == 200, response.text

    async def cart(self, user: SignedInUser) -> Json:
        response = await self.client.get("/api/cart", headers=user.headers)
        assert response.status_code == 200, response.text
        return dict(response.json())

    async def orders_of(self, user: SignedInUser) -> list[Json]:
        response = await self.client.get("/api/orders", params={"limit": 100}, headers=user.headers)
        assert response.status_code == 200, response.text
        return list(response.json()["items"])

    async def placed(self, user: SignedInUser, *lines: tuple[Json, int]) -> Json:
        """An order the user placed for these lines."""
        await self.fill(user, *lines)
        response = await checkout(self.client, user)
        assert response.status_code == 201, response.text
        return dict(response.json())


async def checkout(
    client: AnyClient,
    user: SignedInUser,
    *,
    key: str | None = None,
    body: Json | None = None,
) -> httpx.Response:
    headers = dict(user.headers)
    if key is not None:
        headers["Idempotency-Key"] = key
    response: httpx.Response = await client.post("/api/checkout", json=body, headers=headers)
    return response


# --- a webhook receiver -------------------------------------------------------


@dataclass
class Delivery:
    headers: dict[str, str]
    body: bytes
    at: float  # loop time


@dataclass
class Receiver:
    """A webhook on loopback (asyncio.start_server, no framework): records every request and
    answers each with the next of `statuses`, then 200."""

    statuses: list[int] = field(default_factory=list)
    deliveries: list[Delivery] = field(default_factory=list)
    arrived: asyncio.Event = field(default_factory=asyncio.Event)
    url: str = ""
    _server: asyncio.Server | None = None

    async def start(self) -> None:
        self._server = await asyncio.start_server(self._answer, "127.0.0.1", 0)
        port = self._server.sockets[0].getsockname()[1]
        self.url = f"http://127.0.0.1:{port}/hooks/stock"

    async def stop(self) -> None:
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()

    def for_key(self, key: str) -> list[Delivery]:
        return [d for d in self.deliveries if d.headers.get("idempotency-key") == key]

    async def wait_for(self, key: str, count: int = 1, within: float = 10) -> list[Delivery]:
        async with asyncio.timeout(within):
            while len(self.for_key(key)) < count:
                self.arrived.clear()
                await self.arrived.wait()
        return self.for_key(key)

    async def _answer(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        head = await reader.readuntil(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")[1:]
        headers = {
            name.strip().lower(): value.strip()
            for name, _, value in (line.partition(":") for line in lines if line)
        }
        body = await reader.readexactly(int(headers.get("content-length", "0")))
        status = self.statuses.pop(0) if self.statuses else 200
        self.deliveries.append(Delivery(headers, body, asyncio.get_running_loop().time()))
        self.arrived.set()
        writer.write(
            f"HTTP/1.1 {status} X\r\nContent-Length: 0\r\nConnection: close\r\n\r\n".encode()
        )
        await writer.drain()
        writer.close()
