"""The OpenAPI schema tells clients (and schemathesis) the truth about errors: every error
answer is documented as problem+json, with the statuses the route can really give."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from litestar.testing import TestClient

from grocery.core.storefront import PUBLIC_SORTS
from grocery.entrypoints.app import create_app
from grocery.entrypoints.http.problems import BEARER, CART_TOKEN
from tests.integration.conftest import make_settings

PROBLEM = "application/problem+json"


@pytest.fixture(scope="module")
def schema() -> dict[str, Any]:
    # The schema is built from the routes alone: no database is reached.
    app = create_app(make_settings("postgresql+asyncpg://nobody@127.0.0.1:1/none"))
    with TestClient(app) as client:
        document: dict[str, Any] = client.get("/schema/openapi.json").json()
    return document


def _operations(schema: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (method.upper(), path, operation)
        for path, item in schema["paths"].items()
        for method, operation in item.items()
    ]


def test_every_error_is_documented_as_problem_json(schema: dict[str, Any]) -> None:
    for method, path, operation in _operations(schema):
        errors = {code: answer for code, answer in operation["responses"].items() if code >= "400"}
        assert {"422", "503"} <= set(errors), f"{method} {path}"
        for code, answer in errors.items():
            assert list(answer["content"]) == [PROBLEM], f"{method} {path} {code}"


def test_the_problem_schema_has_the_contract_fields(schema: dict[str, Any]) -> None:
    problem = schema["components"]["schemas"]["Problem"]
    assert set(problem["required"]) == {"type", "title", "status", "detail", "code"}
    assert "errors" in problem["properties"]


@pytest.mark.parametrize(
    ("method", "path", "present", "absent"),
    [
        ("GET", "/api/products", {"422"}, {"401", "403", "409"}),
        ("GET", "/api/cart", {"401"}, {"403"}),
        ("POST", "/api/categories", {"401", "403", "409", "413"}, set()),
        ("GET", "/api/admin/users", {"401", "403"}, set()),
        ("POST", "/api/auth/login", {"401", "403", "429"}, set()),
        ("POST", "/api/products/{product_id}/images", {"413", "415"}, set()),
    ],
)
def test_statuses_follow_who_may_call_and_what_is_sent(
    schema: dict[str, Any], method: str, path: str, present: set[str], absent: set[str]
) -> None:
    responses = set(schema["paths"][path][method.lower()]["responses"])
    assert present <= responses
    assert not absent & responses


# --- a document client generators and linters take as it is ---------------------

_DUMP = """
import sys
from litestar.testing import TestClient
from grocery.entrypoints.app import create_app
from tests.integration.conftest import make_settings
app = create_app(make_settings("postgresql+asyncpg://nobody@127.0.0.1:1/none"))
with TestClient(app) as client:
    sys.stdout.buffer.write(client.get("/schema/openapi.json").content)
"""


def _served_by_a_new_process(hash_seed: str) -> bytes:
    root = Path(__file__).resolve().parents[2]
    environment = {**os.environ, "PYTHONHASHSEED": hash_seed, "GROCERY_LOG_LEVEL": "error"}
    return subprocess.run(
        [sys.executable, "-c", _DUMP],
        cwd=root,
        env={**environment, "PYTHONPATH": str(root)},
        capture_output=True,
        check=True,
        timeout=120,
    ).stdout


def test_the_document_is_the_same_bytes_on_every_start() -> None:
    """No generated examples (random strings that change each start), no set order."""
    first, second = _served_by_a_new_process("1"), _served_by_a_new_process("2")
    assert first and json.loads(first)["openapi"].startswith("3.")
    assert first == second


def _walk(node: Any) -> Iterator[dict[str, Any]]:
    if isinstance(node, dict):
        yield node
        for value in node.values():
            yield from _walk(value)
    elif isinstance(node, list):
        for value in node:
            yield from _walk(value)


def test_every_operation_says_whether_it_wants_a_token(schema: dict[str, Any]) -> None:
    bearer = [{BEARER: []}]
    bearer_or_cart_token = [{BEARER: []}, {CART_TOKEN: []}]
    for method, path, operation in _operations(schema):
        assert operation["security"] in ([], bearer, bearer_or_cart_token), f"{method} {path}"
    assert schema["paths"]["/api/products"]["get"]["security"] == []
    assert schema["paths"]["/api/auth/login"]["post"]["security"] == []
    assert schema["paths"]["/api/guest-carts"]["post"]["security"] == []
    assert schema["paths"]["/api/cart"]["get"]["security"] == bearer_or_cart_token
    assert schema["paths"]["/api/cart/merge"]["post"]["security"] == bearer
    assert schema["components"]["securitySchemes"][CART_TOKEN] == {
        "type": "apiKey",
        "name": "X-Cart-Token",
        "in": "header",
        "description": "A guest cart's cart_token from POST /api/guest-carts.",
    }


def test_no_oneof_of_one_schema_and_no_nullable_parameters(schema: dict[str, Any]) -> None:
    for node in _walk(schema):
        assert len(node.get("oneOf", [None, None])) != 1, node
    for method, path, operation in _operations(schema):
        for parameter in operation.get("parameters", []):
            assert "oneOf" not in parameter["schema"], f"{method} {path} {parameter['name']}"


def test_no_two_paths_differ_only_in_their_parameter_names(schema: dict[str, Any]) -> None:
    shapes = [re.sub(r"\{[^}]+\}", "{}", path) for path in schema["paths"]]
    assert len(shapes) == len(set(shapes))


def test_the_image_upload_documents_its_multipart_body(schema: dict[str, Any]) -> None:
    body = schema["paths"]["/api/products/{product_id}/images"]["post"]["requestBody"]
    form = body["content"]["multipart/form-data"]["schema"]
    assert body["required"] is True
    assert form["required"] == ["file"]
    assert form["properties"]["file"] == {**form["properties"]["file"], "format": "binary"}


def _component(schema: dict[str, Any], name: str) -> dict[str, Any]:
    found: dict[str, Any] = schema["components"]["schemas"][name]
    return found


def _parameter(schema: dict[str, Any], path: str, name: str) -> dict[str, Any]:
    for parameter in schema["paths"][path]["get" if "checkout" not in path else "post"][
        "parameters"
    ]:
        if parameter["name"] == name:
            found: dict[str, Any] = parameter["schema"]
            return found
    raise AssertionError(f"{path} has no parameter {name}")


def test_the_bounds_the_server_enforces_are_in_the_schema(schema: dict[str, Any]) -> None:
    add, change = _component(schema, "AddToCartBody"), _component(schema, "QuantityBody")
    assert (add["properties"]["quantity"]["minimum"], add["properties"]["quantity"]["maximum"]) == (
        1,
        999,
    )
    assert (
        change["properties"]["quantity"]["minimum"],
        change["properties"]["quantity"]["maximum"],
    ) == (0, 999)
    password = _component(schema, "RegisterBody")["properties"]["password"]
    assert (password["minLength"], password["maxLength"]) == (8, 128)
    assert (
        _component(schema, "ChangePasswordBody")["properties"]["new_password"]["maxLength"] == 128
    )
    assert _parameter(schema, "/api/checkout", "Idempotency-Key")["maxLength"] == 255
    for path in ("/api/products", "/api/orders", "/api/promo-codes", "/api/admin/users"):
        assert _parameter(schema, path, "limit")["maximum"] == 100, path
    product = _component(schema, "ProductBody")["properties"]
    assert product["name"]["maxLength"] == 120
    assert product["description"]["maxLength"] == 5000
    assert product["price"]["pattern"] == r"^[0-9]+(\.[0-9]{1,2})?$"
    assert _component(schema, "CategoryBody")["properties"]["slug"]["maxLength"] == 120


def test_choices_are_enums_and_dates_are_dates(schema: dict[str, Any]) -> None:
    assert _parameter(schema, "/api/products", "sort")["enum"] == list(PUBLIC_SORTS)
    for report in ("sales-by-product", "sales-by-category", "sales-over-time"):
        path = f"/api/reports/{report}"
        assert _parameter(schema, path, "format")["enum"] == ["json", "csv"]
        for day in ("from", "to"):
            assert _parameter(schema, path, day)["format"] == "date"
    by_product = "/api/reports/sales-by-product"
    assert _parameter(schema, by_product, "sort")["enum"] == ["most", "least"]
    assert _parameter(schema, by_product, "limit")["type"] == "integer"
    assert _parameter(schema, "/api/reports/sales-over-time", "interval")["enum"] == [
        "day",
        "week",
        "month",
    ]
    unit = {"$ref": "#/components/schemas/Unit"}
    # May be left out: a weighed product then gets kg, any other piece.
    assert _component(schema, "ProductBody")["properties"]["unit"] == {
        "oneOf": [unit, {"type": "null"}]
    }
    assert _component(schema, "ProductOut")["properties"]["unit"] == unit


def test_the_docs_page_loads_nothing_from_elsewhere() -> None:
    app = create_app(make_settings("postgresql+asyncpg://nobody@127.0.0.1:1/none"))
    with TestClient(app) as client:
        assert client.get("/docs", follow_redirects=False).headers["location"] == "/schema/swagger"
        page = client.get("/schema/swagger").text
        loaded = re.findall(r"""(?:src|href)=["']([^"']+)["']""", page)
        assert len(loaded) >= 4, page[:500]
        for url in loaded:
            assert url.startswith("/") and not url.startswith("//"), url
            assert client.get(url).status_code == 200, url
        assert "SwaggerUIBundle" in client.get("/docs/assets/swagger-ui-bundle.js").text
