"""The storefront's reads run on their own asyncpg pool, without a ping before each use:
a PostgreSQL restart between two requests must still cost no failed request, and an
outage must answer 503 and pass."""

from __future__ import annotations

from litestar.testing import AsyncTestClient

from grocery.entrypoints.app import create_app
from tests.integration.conftest import make_settings
from tests.integration.proxy import CuttableProxy


async def test_a_restart_between_reads_costs_no_request(database_url: str) -> None:
    proxy = CuttableProxy(database_url)
    proxy.open()
    try:
        async with AsyncTestClient(app=create_app(make_settings(proxy.url))) as client:
            assert (await client.get("/api/products")).status_code == 200
            proxy.cut()  # the pooled connection dies with the server
            proxy.open()

            assert (await client.get("/api/products")).status_code == 200
    finally:
        proxy.close()


async def test_reads_during_an_outage_are_503_and_recover(database_url: str) -> None:
    proxy = CuttableProxy(database_url)
    proxy.open()
    try:
        async with AsyncTestClient(app=create_app(make_settings(proxy.url))) as client:
            assert (await client.get("/api/products")).status_code == 200
            proxy.cut()

            down = await client.get("/api/products")
            assert down.status_code == 503
            assert down.json()["code"] == "service_unavailable"

            proxy.open()
            assert (await client.get("/api/products")).status_code == 200
    finally:
        proxy.close()
