"""Who may call each route is declared on the route (entrypoints/http/guards.py): a guard, or
`opt=PUBLIC` saying that anyone may. What is declared is what the access matrix expects, so a
new route can't be left open by forgetting its guard."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from litestar import Litestar
from litestar.handlers import HTTPRouteHandler
from litestar.routes import HTTPRoute

from grocery.entrypoints.app import create_app
from grocery.entrypoints.http.guards import Caller, caller_let_in, is_public
from grocery.entrypoints.web.door import admins_only, staff_only
from tests.integration.conftest import make_settings
from tests.security.test_access_matrix import ROUTES, UNGUARDED_EXTRAS, Access, is_back_office

DECLARED_FOR: dict[Access, Caller | None] = {
    Access.ANYONE: None,
    Access.CART_HOLDER: "cart holder",
    Access.SIGNED_IN: "signed in",
    Access.OWNER: "signed in",  # the service hides another customer's things
    Access.OWN_ONLY: "signed in",  # the service hides them from everyone else
    Access.MANAGER: "manager",
    Access.ADMIN: "admin",
}


@pytest.fixture(scope="module")
def app() -> Litestar:
    # The routes alone: no database is reached.
    return create_app(make_settings("postgresql+asyncpg://nobody@127.0.0.1:1/none"))


def _template(path: str) -> str:
    return re.sub(r"\{(\w+):\w+\}", r"{\1}", path).rstrip("/") or "/"


def _shape(path: str) -> str:
    return re.sub(r"\{\w+\}", "{}", path)


def _handlers(
    app: Litestar, *, back_office: bool = False
) -> Iterator[tuple[str, str, HTTPRouteHandler]]:
    """Every (method, path, handler) of the API (or of the back office); Litestar's own
    /schema routes aside."""
    for route in app.routes:
        path = _template(route.path)
        if not isinstance(route, HTTPRoute) or path == "/schema" or path.startswith("/schema/"):
            continue
        if is_back_office(path) != back_office:
            continue
        for handler in route.route_handlers:
            for method in handler.http_methods - {"OPTIONS", "HEAD"}:
                yield method, path, handler


def test_every_route_declares_a_guard_or_that_it_is_public(app: Litestar) -> None:
    handlers = list(_handlers(app))
    assert len(handlers) >= len(ROUTES)
    for method, path, handler in handlers:
        guarded = caller_let_in(handler) is not None
        assert guarded != is_public(handler), f"{method} {path}: a guard or opt=PUBLIC, not both"


def test_the_declared_guards_are_the_access_matrix(app: Litestar) -> None:
    declared = {
        (method, _shape(path)): caller_let_in(handler)
        for method, path, handler in _handlers(app)
        if path not in UNGUARDED_EXTRAS
    }
    expected = {(route.method, _shape(route.path)): DECLARED_FOR[route.access] for route in ROUTES}
    assert declared == expected


def test_a_handler_that_takes_the_caller_declares_a_guard(app: Litestar) -> None:
    takers = [
        (method, path, handler)
        for method, path, handler in _handlers(app)
        if "principal" in handler.parsed_fn_signature.parameters
    ]
    assert takers
    for method, path, handler in takers:
        assert caller_let_in(handler) is not None, f"{method} {path}"


def test_every_back_office_page_lets_in_staff_only_or_says_it_is_public(app: Litestar) -> None:
    pages = list(_handlers(app, back_office=True))
    public = {(method, path) for method, path, handler in pages if is_public(handler)}
    assert public == {
        ("GET", "/admin/sign-in"),
        ("POST", "/admin/sign-in"),
        ("GET", "/admin/static/{file_path}"),
    }
    for method, path, handler in pages:
        doors = {staff_only, admins_only} & set(handler.resolve_guards())
        if (method, path) not in public or "staff" in handler.parsed_fn_signature.parameters:
            # Users and their roles are the admins' screens; every other page is staff's.
            wanted = admins_only if path.startswith("/admin/users") else staff_only
            assert doors == {wanted}, f"{method} {path}"
