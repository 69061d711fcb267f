"""docs/api.md, the API's reference for its users, is kept in step with the code: every
operation the OpenAPI document serves (and nothing the app doesn't serve), every error
`code` the code can answer with (in one table, with its status), every setting config.py
reads. A failure here names what to add to (or take out of) docs/api.md."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from litestar import Litestar
from litestar.routes import HTTPRoute
from litestar.testing import TestClient

from grocery.core import errors
from grocery.core.promotions import PromoRejection
from grocery.entrypoints.app import create_app
from grocery.entrypoints.http import problems
from grocery.entrypoints.http.problems import status_for
from tests.integration.conftest import make_settings

ROOT = Path(__file__).resolve().parents[2]
REFERENCE = ROOT / "docs" / "api.md"
SOURCE = ROOT / "src" / "grocery"

ROUTE = re.compile(r"`(GET|HEAD|POST|PUT|PATCH|DELETE) (/[^`\s]*)`")
CODE_ROW = re.compile(r"^\| `([a-z][a-z0-9_]*)` \| ([0-9, ]+|other) \|", re.M)


@pytest.fixture(scope="module")
def app() -> Litestar:
    return create_app(make_settings("postgresql+asyncpg://nobody@127.0.0.1:1/none"))


@pytest.fixture(scope="module")
def document(app: Litestar) -> dict[str, Any]:
    with TestClient(app) as client:
        served: dict[str, Any] = client.get("/schema/openapi.json").json()
    return served


@pytest.fixture(scope="module")
def reference() -> str:
    return REFERENCE.read_text(encoding="utf-8")


def test_every_operation_of_the_document_is_in_the_reference(
    document: dict[str, Any], reference: str
) -> None:
    operations = {
        (method.upper(), path) for path, item in document["paths"].items() for method in item
    }
    missing = operations - set(ROUTE.findall(reference))
    assert not missing, f"docs/api.md lacks: {sorted(missing)}"


def test_the_reference_names_no_route_the_app_does_not_serve(app: Litestar, reference: str) -> None:
    served = {
        (method, _template(route.path))
        for route in app.routes
        if isinstance(route, HTTPRoute)
        for method in route.methods
    }
    named = set(ROUTE.findall(reference))
    assert named, "docs/api.md names routes as `METHOD /path`"
    assert not named - served, f"docs/api.md names routes nobody serves: {sorted(named - served)}"


def _template(path: str) -> str:
    return re.sub(r"\{(\w+):\w+\}", r"{\1}", path).rstrip("/") or "/"


# --- error codes ------------------------------------------------------------------


def _error_classes() -> Iterator[type[errors.DomainError]]:
    pending: list[type[errors.DomainError]] = [errors.DomainError]
    while pending:
        kind = pending.pop()
        yield kind
        pending.extend(kind.__subclasses__())


def _status_of(kind: type[errors.DomainError]) -> int:
    probe = kind.__new__(kind)  # not __init__: some take more than a detail
    return status_for(probe)


def _codes_in_the_source() -> dict[str, set[int]]:
    """Every code the code can answer with, and the statuses it comes with where the source
    says (an error class's default, a literal `code=` given to an error class, a problem
    built by hand)."""
    found: dict[str, set[int]] = {}
    for kind in _error_classes():
        if kind is not errors.DomainError:
            found.setdefault(kind.default_code, set()).add(_status_of(kind))
    for rejection in PromoRejection:
        found.setdefault(rejection.value, set()).add(422)
    for status, code in problems._CODE_BY_STATUS.items():
        found.setdefault(code, set()).add(status)
    found.setdefault(problems.FALLBACK_CODE, set())
    classes = {kind.__name__: kind for kind in _error_classes()}
    for path in SOURCE.rglob("*.py"):
        for code, status in _literal_codes(ast.parse(path.read_text(encoding="utf-8")), classes):
            found.setdefault(code, set()).update({status} if status else set())
    return found


def _literal_codes(
    tree: ast.AST, classes: dict[str, type[errors.DomainError]]
) -> Iterator[tuple[str, int | None]]:
    snake = re.compile(r"[a-z][a-z0-9_]*")
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            called = getattr(node.func, "id", getattr(node.func, "attr", ""))
            for keyword in node.keywords:
                if keyword.arg == "code" and isinstance(keyword.value, ast.Constant):
                    value = keyword.value.value
                    if isinstance(value, str) and snake.fullmatch(value):
                        kind = classes.get(called)
                        yield value, None if kind is None else _status_of(kind)
            if called == "problem" and len(node.args) >= 2:
                status, code = node.args[0], node.args[1]
                if isinstance(code, ast.Constant) and isinstance(status, ast.Constant):
                    yield str(code.value), int(status.value)
        if isinstance(node, ast.Dict):
            for key, value in zip(node.keys, node.values, strict=True):
                if (
                    isinstance(key, ast.Constant)
                    and key.value == "code"
                    and isinstance(value, ast.Constant)
                    and isinstance(value.value, str)
                ):
                    yield value.value, None


def _codes_in_the_reference(reference: str) -> dict[str, set[int]]:
    return {
        code: {int(status) for status in statuses.split(",") if status.strip().isdigit()}
        for code, statuses in CODE_ROW.findall(reference)
    }


def test_every_error_code_is_in_the_reference_with_its_status(reference: str) -> None:
    documented = _codes_in_the_reference(reference)
    for code, statuses in sorted(_codes_in_the_source().items()):
        assert code in documented, f"docs/api.md's table of codes lacks `{code}`"
        assert statuses <= documented[code], f"`{code}` also answers {sorted(statuses)}"


def test_the_reference_lists_no_code_the_code_never_sends(reference: str) -> None:
    stale = set(_codes_in_the_reference(reference)) - set(_codes_in_the_source())
    assert not stale, f"docs/api.md lists codes nothing sends: {sorted(stale)}"


# --- settings -----------------------------------------------------------------------


def test_every_setting_is_in_the_reference(reference: str) -> None:
    config = ast.parse((SOURCE / "config.py").read_text(encoding="utf-8"))
    names = {
        node.value
        for node in ast.walk(config)
        if isinstance(node, ast.Constant)
        and isinstance(node.value, str)
        and re.fullmatch(r"GROCERY_[A-Z_]+|STRIPE_[A-Z_]+|OTEL_[A-Z_]+", node.value)
    }
    assert len(names) > 20
    missing = {name for name in names if f"`{name}`" not in reference}
    assert not missing, f"docs/api.md lacks the settings {sorted(missing)}"


def test_the_readme_links_only_to_files_in_the_repository() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "docs/api.md" in readme
    assert "../" not in readme
    for target in re.findall(r"\]\(([^)#]+)\)", readme):
        if not re.match(r"[a-z]+://", target):
            assert (ROOT / target).exists(), target
