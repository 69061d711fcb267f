"""Object storage (S3, here moto's S3 behind a proxy we can cut) goes away under a running
`grocery serve`: uploads answer 503 and leave no image row, readiness says so, the catalog
keeps serving, and uploads work again once storage is back, without a restart."""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from PIL import Image

from tests.faults.harness import StoppablePostgres, accounts, serving, stock_shelves
from tests.integration.proxy import CuttableProxy
from tests.integration.s3_server import S3Server, running_s3_server

BUCKET = "fault-images"


@pytest.fixture(scope="module")
def postgres(tmp_path_factory: pytest.TempPathFactory) -> StoppablePostgres:
    return StoppablePostgres(tmp_path_factory.mktemp("storage-pg"))


@pytest.fixture
def s3() -> Iterator[S3Server]:
    with running_s3_server() as server:
        server.create_bucket(BUCKET)
        yield server


@pytest.fixture
def cuttable_s3(s3: S3Server) -> Iterator[CuttableProxy]:
    proxy = CuttableProxy(s3.endpoint)
    proxy.open()
    yield proxy
    proxy.close()


def _png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (5, 5), (200, 30, 30)).save(buffer, format="PNG")
    return buffer.getvalue()


async def _upload(client: httpx.AsyncClient, product: str) -> httpx.Response:
    return await client.post(
        f"/api/products/{product}/images", files={"file": ("p.png", _png(), "image/png")}
    )


async def _image_count(client: httpx.AsyncClient, product: str) -> int:
    response = await client.get(f"/api/products/{product}")
    assert response.status_code == 200, response.text
    return len(response.json()["images"])


async def test_storage_outage_is_503_leaves_no_row_and_heals(
    postgres: StoppablePostgres, s3: S3Server, cuttable_s3: CuttableProxy, tmp_path: Path
) -> None:
    url = postgres.new_database()
    storage = s3.env(
        AWS_ENDPOINT_URL=f"http://127.0.0.1:{cuttable_s3.port}",
        GROCERY_STORAGE_URL=f"s3://{BUCKET}",
    )
    with serving(url, tmp_path / "server", environment=storage) as server:
        manager, _ = await accounts(url, customers=0)
        product = next(iter(await stock_shelves(server.base_url, manager, [10])))
        async with httpx.AsyncClient(
            base_url=server.base_url, headers=manager, timeout=60
        ) as client:
            assert (await _upload(client, product)).status_code == 201

            cuttable_s3.cut()
            refused = await _upload(client, product)
            ready = await client.get("/health/ready")
            browse = await client.get("/api/products")
            count_while_down = await _image_count(client, product)

            cuttable_s3.open()
            healed = await _upload(client, product)
            count_after = await _image_count(client, product)

    assert (refused.status_code, refused.json()["code"]) == (503, "service_unavailable")
    assert "127.0.0.1" not in refused.text
    assert (ready.status_code, ready.json()["code"]) == (503, "service_unavailable")
    assert browse.status_code == 200
    assert count_while_down == 1, "the failed upload left a row"
    assert healed.status_code == 201, healed.text
    assert count_after == 2
