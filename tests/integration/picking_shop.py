"""Helpers for the picking and stock-ledger tests: weighed products, a manager picking an
order over HTTP, and a product's ledger read back whole."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import httpx

from tests.integration.catalog_shop import Json, add_product, tag
from tests.integration.checkout_shop import AnyClient, Shop, checkout

if TYPE_CHECKING:
    from tests.integration.conftest import SignedInUser


class Picker:
    """A manager at work on orders: starts picking, records picks, completes, ships."""

    def __init__(self, shop: Shop, client: AnyClient | None = None) -> None:
        self.shop = shop
        self.client: AnyClient = client or shop.client
        self.headers = shop.manager.headers

    async def weighed(
        self, price: str = "4.00", step_kg: str = "0.500", stock: int = 20, threshold: int = 0
    ) -> Json:
        """A product sold by weight: `price` per kg, `stock` steps of `step_kg`."""
        return await add_product(
            self.shop.client,
            self.headers,
            self.shop.aisle,
            f"Loose {tag()}",
            price=price,
            stock=stock,
            sold_by="weight",
            step_kg=step_kg,
            low_stock_threshold=threshold,
        )

    async def start(self, order: Json) -> Json:
        response = await self.client.post(
            f"/api/orders/{order['id']}/picking", headers=self.headers
        )
        assert response.status_code == 200, response.text
        return dict(response.json())

    async def try_pick(self, order: Json, index: int, **body: Any) -> httpx.Response:
        line_id = order["items"][index]["id"]
        response: httpx.Response = await self.client.put(
            f"/api/orders/{order['id']}/picks/{line_id}", json=body, headers=self.headers
        )
        return response

    async def pick(self, order: Json, index: int, **body: Any) -> Json:
        response = await self.try_pick(order, index, **body)
        assert response.status_code == 200, response.text
        return dict(response.json())

    async def try_complete(self, order: Json) -> httpx.Response:
        response: httpx.Response = await self.client.post(
            f"/api/orders/{order['id']}/picking/complete", headers=self.headers
        )
        return response

    async def complete(self, order: Json) -> Json:
        response = await self.try_complete(order)
        assert response.status_code == 200, response.text
        return dict(response.json())

    async def try_step(self, order: Json, status: str) -> httpx.Response:
        response: httpx.Response = await self.client.patch(
            f"/api/orders/{order['id']}", json={"status": status}, headers=self.headers
        )
        return response

    async def order(self, order: Json) -> Json:
        response = await self.client.get(f"/api/orders/{order['id']}", headers=self.headers)
        assert response.status_code == 200, response.text
        return dict(response.json())

    async def movements(self, product: Json) -> list[Json]:
        """Every movement of the product, newest first, through all the pages."""
        found: list[Json] = []
        cursor = None
        while True:
            params: dict[str, Any] = {"limit": 100, **({"cursor": cursor} if cursor else {})}
            response = await self.client.get(
                f"/api/products/{product['id']}/stock-movements",
                params=params,
                headers=self.headers,
            )
            assert response.status_code == 200, response.text
            body = response.json()
            found.extend(body["items"])
            cursor = body["next_cursor"]
            if cursor is None:
                return found

    async def assert_ledger_holds(self, *products: Json) -> None:
        """Each product's stock is the sum of its movements."""
        for product in products:
            stock = (await self.shop.now(product))["stock"]
            ledger = await self.movements(product)
            assert sum(m["quantity"] for m in ledger) == stock, (product["name"], ledger)
            if ledger:
                assert ledger[0]["stock_after"] == stock

    async def placed_by(
        self, user: SignedInUser, *lines: tuple[Json, int], promo: Json | None = None, **choice: Any
    ) -> Json:
        """An order for these lines, each with the same substitution choice if any, with the
        promo code applied."""
        for product, quantity in lines:
            response = await self.shop.client.post(
                "/api/cart/items",
                json={"product_id": product["id"], "quantity": quantity, **choice},
                headers=user.headers,
            )
            assert response.status_code in (200, 201), response.text
        if promo is not None:
            await self.shop.apply(user, promo)
        response = await checkout(self.shop.client, user)
        assert response.status_code == 201, response.text
        return dict(response.json())
