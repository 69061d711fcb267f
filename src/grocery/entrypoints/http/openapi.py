"""The OpenAPI document (/schema/openapi.json) and the interactive docs (/docs), offline.

Litestar builds the document from the routes; `finish_document` completes it once at
start-up for client generators and linters, so the same routes give the same bytes on
every start:
- an operation anyone may call says so (`security: []`); guarded ones name the bearer
  scheme (problems.document_problems),
- a `oneOf` holding one schema (Litestar's spelling of a field that may be left out) is
  that schema, and an optional parameter is not also nullable (a query string has no null).

/docs is Swagger UI with its scripts and styles served by the app from the
swagger-ui-bundle package, so it works without the internet or behind a strict firewall.
"""

from __future__ import annotations

from dataclasses import fields, is_dataclass
from typing import Any

from litestar import Litestar, get
from litestar.openapi import OpenAPIConfig
from litestar.openapi.plugins import SwaggerRenderPlugin
from litestar.openapi.spec import (
    Components,
    OpenAPIType,
    Operation,
    Parameter,
    Reference,
    Schema,
    SecurityScheme,
)
from litestar.response import Redirect
from litestar.static_files import create_static_files_router
from swagger_ui_bundle import swagger_ui_path

from grocery.entrypoints.http.guards import PUBLIC
from grocery.entrypoints.http.problems import BEARER, CART_TOKEN

DOCS_ASSETS = "/docs/assets"
_FAVICON = f"<link rel='icon' type='image/png' href='{DOCS_ASSETS}/favicon-32x32.png'>"


def openapi_config() -> OpenAPIConfig:
    return OpenAPIConfig(
        title="grocery",
        version="1.0.0",
        description=(
            "A grocery store's REST API: catalog, cart, promo codes, checkout, orders, reports."
            " The repository's docs/api.md is the reference: every route, status, error code"
            " and setting."
        ),
        path="/schema",
        use_handler_docstrings=True,  # a route's docstring is its description
        components=Components(
            security_schemes={
                BEARER: SecurityScheme(
                    type="http",
                    scheme="bearer",
                    bearer_format="JWT",
                    description="The access_token of POST /api/auth/login.",
                ),
                CART_TOKEN: SecurityScheme(
                    type="apiKey",
                    name="X-Cart-Token",
                    security_scheme_in="header",
                    description="A guest cart's cart_token from POST /api/guest-carts.",
                ),
            }
        ),
        render_plugins=[
            SwaggerRenderPlugin(
                path="/swagger",
                js_url=f"{DOCS_ASSETS}/swagger-ui-bundle.js",
                css_url=f"{DOCS_ASSETS}/swagger-ui.css",
                standalone_preset_js_url=f"{DOCS_ASSETS}/swagger-ui-standalone-preset.js",
                favicon=_FAVICON,
            )
        ],
    )


@get("/docs", include_in_schema=False, sync_to_thread=False, opt=PUBLIC)
def docs() -> Redirect:
    return Redirect("/schema/swagger")


def docs_routes() -> list[Any]:
    """/docs and the Swagger UI files its page loads."""
    assets = create_static_files_router(
        path=DOCS_ASSETS, directories=[swagger_ui_path], opt=dict(PUBLIC), name="docs-assets"
    )
    return [docs, assets]


def finish_document(app: Litestar) -> None:
    """Complete the document Litestar built from the routes (it serves the one it keeps)."""
    document = app.openapi_schema
    for item in (document.paths or {}).values():
        for method in _METHODS:
            operation = getattr(item, method, None)
            if isinstance(operation, Operation):
                if operation.security is None:
                    operation.security = []
                for parameter in operation.parameters or ():
                    if isinstance(parameter, Parameter) and isinstance(parameter.schema, Schema):
                        _not_null(parameter.schema)
    _simplified(document)


def _not_null(schema: Schema) -> None:
    """A parameter left out is absent, never null: `str | None` is just a string."""
    choices = schema.one_of or []
    kept = [c for c in choices if not (isinstance(c, Schema) and c.type == OpenAPIType.NULL)]
    if choices and len(kept) == 1:
        schema.one_of = kept  # one schema left: _simplified makes it the parameter's own


_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")


def _simplified(node: Any) -> Any:
    """The node with each one-schema `oneOf` replaced by that schema, at any depth."""
    if isinstance(node, Schema) and node.one_of is not None and len(node.one_of) == 1:
        (only,) = node.one_of
        node.one_of = None
        if isinstance(only, Reference):
            if all(getattr(node, f.name) is None for f in fields(node)):
                return only
            node.all_of = [only]  # a reference beside other keywords
        else:
            for field in fields(only):
                if getattr(node, field.name) is None:
                    setattr(node, field.name, getattr(only, field.name))
    if is_dataclass(node) and not isinstance(node, type):
        for field in fields(node):
            value = getattr(node, field.name)
            if value is not None:
                setattr(node, field.name, _simplified(value))
    elif isinstance(node, dict):
        for key, value in node.items():
            node[key] = _simplified(value)
    elif isinstance(node, list):
        node[:] = [_simplified(value) for value in node]
    return node


__all__ = ["DOCS_ASSETS", "docs_routes", "finish_document", "openapi_config"]
