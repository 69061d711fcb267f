"""The seed's ALLOWED_HOSTS: a request naming another Host gets a 400 problem, not the shop."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import msgspec
from litestar.enums import ScopeType

if TYPE_CHECKING:
    from litestar.types import ASGIApp, HTTPResponseStartEvent, Receive, Scope, Send

_REFUSAL = msgspec.json.encode(
    {
        "type": "https://grocery.invalid/problems/invalid-host",
        "title": "Bad Request",
        "status": 400,
        "detail": "This server does not answer for that host name.",
        "code": "invalid_host",
    }
)


def host_allowed(host: str, allowed: Sequence[str]) -> bool:
    """Exact names, and `.example.com` or `*.example.com` for the domain and its subdomains."""
    name = host.rsplit(":", 1)[0] if not host.endswith("]") else host
    name = name.lower().rstrip(".")
    for pattern in allowed:
        pattern = pattern.lower()
        if pattern == "*" or pattern == name:
            return True
        suffix = pattern.removeprefix("*")
        if suffix.startswith(".") and (name.endswith(suffix) or name == suffix[1:]):
            return True
    return False


def host_check_middleware(app: ASGIApp, allowed: Sequence[str]) -> ASGIApp:
    if "*" in allowed:
        return app

    async def checked(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == ScopeType.HTTP:
            host = next((v.decode("latin-1") for k, v in scope["headers"] if k == b"host"), "")
            if not host_allowed(host, allowed):
                start: HTTPResponseStartEvent = {
                    "type": "http.response.start",
                    "status": 400,
                    "headers": [(b"content-type", b"application/problem+json")],
                }
                await send(start)
                await send({"type": "http.response.body", "body": _REFUSAL, "more_body": False})
                return
        await app(scope, receive, send)

    return checked
