"""The storefront's kept pages answered before routing: a GET whose page the cache vouches
for (the change feed heard, nothing changed since) is sent straight from memory, without
Litestar's routing, parameters and dependencies (half of what a kept page cost).

Only anonymous requests from no browser origin take it: a request with credentials (a bearer
token, a guest cart's token) or an Origin (CORS headers) goes the whole way, as does every
request the cache has no vouched page for. A page is only ever kept for a request the
storefront answered 200, so its query was valid. Metrics still count it under its route.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from litestar.enums import ScopeType

if TYPE_CHECKING:
    from litestar.types import ASGIApp, Receive, Scope, Send

    from grocery.entrypoints.http.storefront_cache import StorefrontCache

PERSONAL = frozenset({b"authorization", b"x-cart-token", b"origin", b"cookie"})
_JSON = (b"content-type", b"application/json")


def storefront_fast_path(app: ASGIApp, pages: StorefrontCache) -> ASGIApp:
    async def answered(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != ScopeType.HTTP or scope["method"] != "GET" or _personal(scope):
            await app(scope, receive, send)
            return
        kept = pages.vouched_at((scope["path"], scope["query_string"]))
        if kept is None:
            await app(scope, receive, send)
            return
        body, scope["path_template"] = kept
        length = (b"content-length", str(len(body)).encode())
        await send({"type": "http.response.start", "status": 200, "headers": [_JSON, length]})
        await send({"type": "http.response.body", "body": body, "more_body": False})

    return answered


def _personal(scope: Scope) -> bool:
    return any(name in PERSONAL for name, _ in scope["headers"])
