"""Every error becomes RFC 9457 problem+json with a stable `code`; nothing leaks a trace or SQL."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from http import HTTPStatus
from typing import Any

import msgspec
import structlog
from litestar import Litestar, Request, Response
from litestar.exceptions import HTTPException, ValidationException
from litestar.handlers import HTTPRouteHandler
from litestar.openapi import ResponseSpec
from litestar.routes import HTTPRoute

from grocery.core import errors
from grocery.entrypoints.http.guards import caller_let_in

log = structlog.get_logger("grocery.errors")

PROBLEM_JSON = "application/problem+json"

_STATUS_BY_KIND: tuple[tuple[type[errors.DomainError], int], ...] = (
    (errors.BadRequest, 400),
    (errors.NotFound, 404),
    (errors.Conflict, 409),
    (errors.Invalid, 422),
    (errors.NotAuthenticated, 401),
    (errors.Forbidden, 403),
    (errors.PaymentDeclined, 402),
    (errors.TooManyAttempts, 429),
    (errors.PayloadTooLarge, 413),
    (errors.UnsupportedMediaType, 415),
    (errors.ServiceUnavailable, 503),
)

_CODE_BY_STATUS = {
    400: "bad_request",
    401: "not_authenticated",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "payload_too_large",
    415: "unsupported_media_type",
    422: "validation_error",
    429: "too_many_attempts",
    500: "internal_error",
    503: "service_unavailable",
}
FALLBACK_CODE = "error"  # any other status the HTTP layer itself answers with


def status_for(error: errors.DomainError) -> int:
    for kind, status in _STATUS_BY_KIND:
        if isinstance(error, kind):
            return status
    return 400


def problem(
    status: int,
    code: str,
    detail: str,
    field_errors: Sequence[Mapping[str, object]] = (),
    headers: Mapping[str, str] | None = None,
) -> Response[dict[str, Any]]:
    body: dict[str, Any] = {
        "type": f"https://grocery.invalid/problems/{code.replace('_', '-')}",
        "title": HTTPStatus(status).phrase,
        "status": status,
        "detail": detail,
        "code": code,
    }
    if field_errors:
        body["errors"] = [dict(item) for item in field_errors]
    return Response(body, status_code=status, media_type=PROBLEM_JSON, headers=headers)


def domain_error_handler(_: Request[Any, Any, Any], error: errors.DomainError) -> Response[Any]:
    status = status_for(error)
    headers = {"WWW-Authenticate": "Bearer"} if status == 401 else None
    if isinstance(error, errors.TooManyAttempts):
        headers = {"Retry-After": str(error.retry_after_seconds)}
    return problem(status, error.code, error.detail, error.errors, headers)


def validation_handler(_: Request[Any, Any, Any], error: ValidationException) -> Response[Any]:
    field_errors = [
        {"field": _field_name(item.get("key")), "message": str(item.get("message", "invalid"))}
        for item in (error.extra if isinstance(error.extra, list) else [])
        if isinstance(item, dict)
    ]
    # Litestar raises ValidationException (400) for malformed bodies too; the contract says 422.
    detail = "The request is not valid." if field_errors else _clean_detail(error.detail)
    return problem(422, "validation_error", detail, field_errors)


def http_error_handler(_: Request[Any, Any, Any], error: HTTPException) -> Response[Any]:
    status = error.status_code
    code = _CODE_BY_STATUS.get(status, FALLBACK_CODE)
    detail = error.detail if status < 500 else HTTPStatus(status).phrase
    return problem(status, code, detail, headers=error.headers)


def unexpected_error_handler(request: Request[Any, Any, Any], error: Exception) -> Response[Any]:
    """A fault of ours: the adapters turn every failure that means something (the database
    down, a deadlock, text it can't store) into a DomainError before it gets here."""
    log.exception("unhandled", path=request.url.path)
    return problem(500, "internal_error", "Something went wrong on our side.")


def _field_name(key: object) -> str:
    return str(key) if key else "body"


def _clean_detail(detail: str) -> str:
    return detail if detail and len(detail) < 300 else "The request is not valid."


# --- the OpenAPI document ---------------------------------------------------------


class FieldProblem(msgspec.Struct):
    field: str
    message: str


class Problem(msgspec.Struct):
    """RFC 9457 problem details, as every error of this API is sent."""

    type: str
    title: str
    status: int
    detail: str
    code: str
    errors: list[FieldProblem] | msgspec.UnsetType = msgspec.UNSET  # left out when none


_SIGN_IN_PATHS = ("/api/auth/login", "/api/auth/refresh", "/api/auth/change-password")


def problem_statuses(handler: HTTPRouteHandler, path: str) -> set[int]:
    """The error statuses a route can answer with, judged by whom it lets in and what it takes.

    Clients and contract testers (schemathesis) read these from the schema; Litestar alone
    would document a plain-JSON 400 that this API never sends."""
    caller = caller_let_in(handler)
    statuses = {400, 404, 422, 503}
    if caller is not None or path in _SIGN_IN_PATHS:
        statuses.add(401)
    if caller in ("manager", "admin") or path == "/api/auth/login":
        statuses.add(403)  # staff routes; a disabled account signing in
    if path in _SIGN_IN_PATHS:
        statuses.add(429)
    if not handler.http_methods <= {"GET", "HEAD"}:
        statuses |= {409, 413, 415}
    return statuses


BEARER = "bearer"  # the OpenAPI security scheme of access tokens (entrypoints/app.py)
CART_TOKEN = "cart_token"  # noqa: S105 - the scheme of guest cart tokens, not a secret


def document_problems(app: Litestar) -> None:
    """Describe every route's error answers as problem+json in the OpenAPI schema, and mark
    the routes that want an access token (so /docs offers to send one)."""
    for route in app.routes:
        if not isinstance(route, HTTPRoute):
            continue
        for handler in route.route_handlers:
            caller = caller_let_in(handler)
            if caller == "cart holder":  # either will do
                handler.security = [{BEARER: []}, {CART_TOKEN: []}]
            elif caller is not None:
                handler.security = [{BEARER: []}]
            documented = dict(handler.responses or {})
            for status in problem_statuses(handler, route.path):
                documented.setdefault(status, problem_answer(HTTPStatus(status).phrase))
            handler.responses = documented


def problem_answer(description: str) -> ResponseSpec:
    """An error answer as the schema shows it: problem+json, described by `description`.
    A handler declares one itself for a status its caller and method don't imply."""
    return ResponseSpec(
        data_container=Problem,
        media_type=PROBLEM_JSON,
        description=description,
        generate_examples=False,
    )


EXCEPTION_HANDLERS: Mapping[Any, Any] = {
    errors.DomainError: domain_error_handler,
    ValidationException: validation_handler,
    HTTPException: http_error_handler,
    Exception: unexpected_error_handler,
}

__all__ = [
    "BEARER",
    "CART_TOKEN",
    "EXCEPTION_HANDLERS",
    "PROBLEM_JSON",
    "document_problems",
    "problem",
    "problem_answer",
]
