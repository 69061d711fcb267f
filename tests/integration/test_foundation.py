"""The running shop: health, problem+json errors, body limits, outages, docs."""

from __future__ import annotations

import io
import json

import msgspec
import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient

from grocery.config import Settings
from grocery.entrypoints.app import create_app
from grocery.entrypoints.logs import configure_logging
from tests.integration.catalog_shop import PROBLEM
from tests.integration.conftest import make_settings
from tests.integration.proxy import CuttableProxy


async def test_live_and_ready(client: AsyncTestClient[Litestar]) -> None:
    live = await client.get("/health/live")
    ready = await client.get("/health/ready")
    assert live.status_code == 200 and live.json() == {"status": "ok"}
    assert ready.status_code == 200 and ready.json()["database"] == "ok"


async def test_unknown_path_is_a_404_problem(client: AsyncTestClient[Litestar]) -> None:
    response = await client.get("/api/no-such-thing")
    assert response.status_code == 404
    assert response.headers["content-type"].startswith(PROBLEM)
    assert response.json()["code"] == "not_found"
    assert response.json()["status"] == 404


async def test_wrong_method_is_a_405_problem(client: AsyncTestClient[Litestar]) -> None:
    response = await client.delete("/health/live")
    assert response.status_code == 405
    assert response.json()["code"] == "method_not_allowed"


async def test_request_id_is_echoed(client: AsyncTestClient[Litestar]) -> None:
    response = await client.get("/health/live", headers={"X-Request-ID": "abc-123"})
    assert response.headers["x-request-id"] == "abc-123"


async def test_openapi_and_docs(client: AsyncTestClient[Litestar]) -> None:
    schema = await client.get("/schema/openapi.json")
    docs = await client.get("/docs", follow_redirects=False)
    assert schema.status_code == 200 and schema.json()["info"]["title"] == "grocery"
    assert docs.status_code in (301, 302, 307, 308)


async def test_the_schema_asks_for_a_bearer_token_exactly_where_one_is_needed(
    client: AsyncTestClient[Litestar],
) -> None:
    schema = (await client.get("/schema/openapi.json")).json()
    scheme = schema["components"]["securitySchemes"]["bearer"]
    assert (scheme["type"], scheme["scheme"], scheme["bearerFormat"]) == ("http", "bearer", "JWT")
    paths = schema["paths"]
    assert paths["/api/cart"]["get"]["security"] == [{"bearer": []}, {"cart_token": []}]
    assert paths["/api/reports/sales-by-product"]["get"]["security"] == [{"bearer": []}]
    assert paths["/api/checkout"]["post"]["security"] == [{"bearer": []}]
    # Public operations say so explicitly: no security requirement at all (issue 15).
    assert paths["/api/products"]["get"]["security"] == []
    assert paths["/api/auth/login"]["post"]["security"] == []


async def test_database_outage_is_503_and_the_app_recovers(database_url: str) -> None:
    proxy = CuttableProxy(database_url)
    proxy.open()
    app = create_app(make_settings(proxy.url))
    async with AsyncTestClient(app=app) as client:
        assert (await client.get("/health/ready")).status_code == 200
        proxy.cut()
        down = await client.get("/health/ready")
        assert down.status_code == 503
        assert down.headers["content-type"].startswith(PROBLEM)
        assert down.json()["code"] == "service_unavailable"
        assert "SELECT" not in down.text and "Traceback" not in down.text
        proxy.open()
        assert (await client.get("/health/ready")).status_code == 200
    proxy.close()


@pytest.mark.parametrize("path", ["/health/live", "/health/live/"])
async def test_trailing_slash_is_optional(client: AsyncTestClient[Litestar], path: str) -> None:
    assert (await client.get(path)).status_code == 200


async def test_every_request_gets_one_access_line(
    client: AsyncTestClient[Litestar], settings: Settings
) -> None:
    buffer = io.StringIO()
    configure_logging(
        msgspec.structs.replace(settings, log_level="INFO", log_format="json"), buffer
    )
    try:
        await client.get("/api/missing-page", headers={"X-Request-ID": "req-404"})
    finally:
        configure_logging(settings)
    lines = [json.loads(line) for line in buffer.getvalue().splitlines() if "req-404" in line]
    assert len(lines) == 1
    assert lines[0]["status"] == 404
    assert lines[0]["path"] == "/api/missing-page"
    assert lines[0]["method"] == "GET"
    assert lines[0]["duration_ms"] >= 0


async def test_body_over_the_limit_is_a_413_problem(client: AsyncTestClient[Litestar]) -> None:
    padding = "x" * (1024 * 1024 + 1)
    response = await client.post(
        "/api/auth/register",
        content=f'{{"email": "a@b.io", "username": "big", "password": "{padding}"}}',
        headers={"Content-Type": "application/json"},
    )
    assert response.status_code == 413
    assert response.headers["content-type"].startswith(PROBLEM)
    assert response.json()["code"] == "payload_too_large"


async def test_body_that_is_not_json_is_a_400_problem(client: AsyncTestClient[Litestar]) -> None:
    response = await client.post(
        "/api/auth/register", content="{not json", headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 400
    assert response.headers["content-type"].startswith(PROBLEM)
    assert response.json()["code"] == "bad_request"
    assert "JSON" in response.json()["detail"]


@pytest.mark.parametrize(
    "body",
    [
        '{"email": 5, "username": "someone", "password": "long enough"}',
        '{"username": "someone", "password": "long enough"}',
        "[]",
    ],
)
async def test_malformed_or_mistyped_body_is_a_422_problem(
    client: AsyncTestClient[Litestar], body: str
) -> None:
    response = await client.post(
        "/api/auth/register", content=body, headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 422
    assert response.headers["content-type"].startswith(PROBLEM)
    problem = response.json()
    assert problem["code"] == "validation_error"
    assert problem["status"] == 422
    assert "Traceback" not in response.text


async def test_allowed_hosts_refuse_other_host_headers(settings: Settings) -> None:
    app = create_app(msgspec.structs.replace(settings, allowed_hosts=("shop.test", "localhost")))
    async with AsyncTestClient(app=app, base_url="http://shop.test") as shop:
        assert (await shop.get("/health/live")).status_code == 200
        spoofed = await shop.get("/health/live", headers={"Host": "evil.test"})
    assert spoofed.status_code == 400
    assert spoofed.headers["content-type"].startswith(PROBLEM)
