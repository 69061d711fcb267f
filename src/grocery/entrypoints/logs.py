"""Structured logs: JSON in production, readable on a terminal; one access line per request."""

from __future__ import annotations

import logging
import sys
import time
from typing import TYPE_CHECKING, TextIO

import msgspec
import structlog
from litestar.enums import ScopeType

from grocery.core.ids import new_id

if TYPE_CHECKING:
    from litestar.types import ASGIApp, Message, Receive, Scope, Send

    from grocery.config import Settings

access_log = structlog.get_logger("grocery.access")
# The scope key of a one-item list holding the request's id: tracing replaces the id with the
# trace's (the list survives the scope copies that inner middleware make).
REQUEST_ID = "grocery.request_id"


def configure_logging(settings: Settings, stream: TextIO | None = None) -> None:
    renderer: structlog.types.Processor = (
        structlog.processors.JSONRenderer(serializer=_json)
        if settings.log_format == "json"
        else structlog.dev.ConsoleRenderer(colors=sys.stderr.isatty())
    )
    level = logging.getLevelNamesMapping()[settings.log_level]
    structlog.configure(
        processors=[
            structlog.contextvars.merge_contextvars,
            structlog.processors.add_log_level,
            structlog.processors.TimeStamper(fmt="iso", utc=True),
            structlog.processors.format_exc_info,
            renderer,
        ],
        wrapper_class=structlog.make_filtering_bound_logger(level),
        logger_factory=structlog.PrintLoggerFactory(stream or sys.stderr),
        # A served process configures once; elsewhere (tests) a reconfiguration takes effect.
        cache_logger_on_first_use=settings.is_production,
    )
    logging.basicConfig(
        level=max(level, logging.WARNING),
        stream=sys.stderr,
        format="%(name)s %(levelname)s %(message)s",
    )


_encoder = msgspec.json.Encoder(enc_hook=repr)  # what it can't encode is logged as its repr


def _json(event: object, **_: object) -> str:
    return _encoder.encode(event).decode()


def access_log_middleware(app: ASGIApp) -> ASGIApp:
    """Give each request an id (kept from X-Request-ID when sane) and log one line when it ends."""

    async def middleware(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != ScopeType.HTTP:
            await app(scope, receive, send)
            return
        request_id = [_request_id(scope)]
        scope[REQUEST_ID] = request_id  # type: ignore[literal-required]
        started = time.perf_counter()
        status = 500

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                headers = list(message.get("headers", []))
                headers.append((b"x-request-id", request_id[0].encode()))
                message["headers"] = headers
            await send(message)

        structlog.contextvars.bind_contextvars(request_id=request_id[0])
        try:
            await app(scope, receive, send_with_id)
        finally:
            access_log.info(
                "request",
                request_id=request_id[0],
                method=scope.get("method"),
                path=scope["path"],
                status=status,
                duration_ms=round((time.perf_counter() - started) * 1000, 2),
            )
            structlog.contextvars.unbind_contextvars("request_id")

    return middleware


def _request_id(scope: Scope) -> str:
    for name, value in scope["headers"]:
        if name == b"x-request-id" and 0 < len(value) <= 64 and value.isascii():
            text = value.decode()
            if text.replace("-", "").isalnum():
                return text
    return str(new_id())
