"""The OpenAPI schema tells clients (and schemathesis) the truth about errors: every error
answer is documented as problem+json, with the statuses the route can really give."""

from __future__ import annotations

from typing import Any

import pytest
from litestar.testing import TestClient

from grocery.entrypoints.app import create_app
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
