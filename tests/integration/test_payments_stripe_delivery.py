"""Stripe's own webhook deliveries, end to end: localstripe is told where the shop's webhook is
(as the dashboard is), signs its events with the endpoint's secret and POSTs them to a real
`grocery serve`. A card captured from Stripe's side (the dashboard, say) shows as captured."""

from __future__ import annotations

import asyncio
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from uuid import UUID

import httpx
import pytest

from grocery.adapters.sql.uow import SqlUnitOfWork
from grocery.config import Settings
from grocery.entrypoints.wiring import Adapters
from tests.integration.card_shop import VISA, stripe_post
from tests.integration.catalog_shop import add_category, add_product, tag
from tests.integration.conftest import (
    SignedInUser,
    free_port,
    server_environment,
    stop,
    wait_until_live,
)
from tests.integration.stripe_server import SECRET_KEY, WEBHOOK_SECRET


@pytest.fixture(scope="module")
def card_server(
    settings: Settings, localstripe: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """`grocery serve` taking cards through localstripe, on a free port; its base URL."""
    scratch = tmp_path_factory.mktemp("card-server")
    port = free_port()
    environment = server_environment(
        settings,
        scratch,
        GROCERY_PAYMENT_PROVIDER="stripe",
        STRIPE_SECRET_KEY=SECRET_KEY,
        STRIPE_WEBHOOK_SECRET=WEBHOOK_SECRET,
        STRIPE_API_BASE=localstripe,
    )
    command = [str(Path(sys.executable).parent / "grocery"), "serve", "--workers", "1"]
    command += ["--host", "127.0.0.1", "--port", str(port)]
    with (scratch / "server.log").open("wb") as output:
        server = subprocess.Popen(
            command, cwd=scratch, env=environment, stdout=output, stderr=subprocess.STDOUT
        )
        try:
            base_url = f"http://127.0.0.1:{port}"
            wait_until_live(server, base_url, scratch / "server.log")
            yield base_url
        finally:
            stop(server, seconds=15)


async def test_a_capture_made_at_stripe_reaches_the_shop_by_its_signed_webhook(
    card_server: str,
    localstripe: str,
    manager: SignedInUser,
    ann: SignedInUser,
    adapters: Adapters,
) -> None:
    webhook = f"{card_server}/api/payments/stripe/webhook"
    async with httpx.AsyncClient(base_url=localstripe) as stripe:  # as the dashboard does
        registered = await stripe.post(
            "/_config/webhooks/grocery", data={"url": webhook, "secret": WEBHOOK_SECRET}
        )
    assert registered.status_code == 200, registered.text
    async with httpx.AsyncClient(base_url=card_server, timeout=30) as shop:
        aisle = await add_category(shop, manager.headers)
        apples = await add_product(
            shop, manager.headers, aisle, f"Apples {tag()}", price="2.00", stock=5
        )
        added = await shop.post(
            "/api/cart/items", json={"product_id": apples["id"], "quantity": 2}, headers=ann.headers
        )
        assert added.status_code in (200, 201), added.text
        placed = await shop.post(
            "/api/checkout", json={"payment_method": VISA}, headers=ann.headers
        )
        assert placed.status_code == 201, placed.text
        order_id = placed.json()["id"]
        async with SqlUnitOfWork(adapters.database) as uow:
            order = await uow.orders.get(UUID(order_id))
        assert order is not None and order.payment.reference is not None

        await stripe_post(localstripe, f"/v1/payment_intents/{order.payment.reference}/capture")

        payment: dict[str, str] = {}
        for _ in range(100):  # localstripe delivers a second or so later
            shown = await shop.get(f"/api/orders/{order_id}", headers=ann.headers)
            payment = shown.json()["payment"]
            if payment["status"] != "authorized":
                break
            await asyncio.sleep(0.2)

    assert (payment["status"], payment["amount_captured"]) == ("captured", "4.00")
