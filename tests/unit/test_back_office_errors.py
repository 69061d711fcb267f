"""The app's own error handlers: under /admin a page with its status and never a trace,
elsewhere the API's problem+json (a fault outside any back-office route, say in a
middleware, lands here)."""

from __future__ import annotations

import pytest
from litestar import Litestar, get
from litestar.plugins.jinja import JinjaTemplateEngine
from litestar.template import TemplateConfig
from litestar.testing import TestClient

from grocery.core.errors import Forbidden
from grocery.entrypoints.http.problems import EXCEPTION_HANDLERS
from grocery.entrypoints.web.errors import pages_under_admin
from grocery.entrypoints.web.office import HERE

SECRET = "the connection string with its password"


@get(["/admin/boom", "/api/boom"], sync_to_thread=False)
def boom() -> None:
    raise RuntimeError(SECRET)


@get(["/admin/denied", "/api/denied"], sync_to_thread=False)
def denied() -> None:
    raise Forbidden("Your role may not do this.")


@pytest.fixture(scope="module")
def client() -> TestClient[Litestar]:
    app = Litestar(
        route_handlers=[boom, denied],
        exception_handlers=pages_under_admin(EXCEPTION_HANDLERS),
        template_config=TemplateConfig(directory=HERE / "templates", engine=JinjaTemplateEngine),
        debug=False,
    )
    return TestClient(app)


def test_a_fault_under_admin_is_a_page_without_a_trace(client: TestClient[Litestar]) -> None:
    answer = client.get("/admin/boom")
    assert answer.status_code == 500 and answer.headers["content-type"].startswith("text/html")
    assert "<h1>Something went wrong</h1>" in answer.text
    assert SECRET not in answer.text and "RuntimeError" not in answer.text


def test_a_fault_in_the_api_is_problem_json(client: TestClient[Litestar]) -> None:
    answer = client.get("/api/boom")
    assert answer.status_code == 500
    assert answer.headers["content-type"] == "application/problem+json"
    assert answer.json()["code"] == "internal_error" and SECRET not in answer.text


def test_a_refusal_is_a_403_page_under_admin_and_problem_json_elsewhere(
    client: TestClient[Litestar],
) -> None:
    page = client.get("/admin/denied")
    assert page.status_code == 403 and "<h1>Not for you</h1>" in page.text
    problem = client.get("/api/denied")
    assert problem.status_code == 403 and problem.json()["code"] == "forbidden"


def test_a_path_only_starting_like_admin_is_the_api_s(client: TestClient[Litestar]) -> None:
    answer = client.get("/administrator")
    assert answer.status_code == 404
    assert answer.headers["content-type"] == "application/problem+json"
