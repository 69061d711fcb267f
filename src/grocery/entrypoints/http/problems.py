"""Every error becomes RFC 9457 problem+json with a stable `code`; nothing leaks a trace or SQL."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from http import HTTPStatus
from typing import Any

import structlog
from litestar import Request, Response
from litestar.exceptions import HTTPException, ValidationException

from grocery.adapters.sql.database import is_database_down
from grocery.core import errors

log = structlog.get_logger("grocery.errors")

PROBLEM_JSON = "application/problem+json"

_STATUS_BY_KIND: tuple[tuple[type[errors.DomainError], int], ...] = (
    (errors.NotFound, 404),
    (errors.Conflict, 409),
    (errors.Invalid, 422),
    (errors.NotAuthenticated, 401),
    (errors.Forbidden, 403),
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
    503: "service_unavailable",
}


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
    code = _CODE_BY_STATUS.get(status, "error")
    detail = error.detail if status < 500 else HTTPStatus(status).phrase
    return problem(status, code, detail, headers=error.headers)


def unexpected_error_handler(request: Request[Any, Any, Any], error: Exception) -> Response[Any]:
    if is_database_down(error):
        log.warning("database.unavailable", error=type(error).__name__)
        return problem(
            503, "service_unavailable", "The database is unavailable; try again shortly."
        )
    log.exception("unhandled", path=request.url.path)
    return problem(500, "internal_error", "Something went wrong on our side.")


def _field_name(key: object) -> str:
    return str(key) if key else "body"


def _clean_detail(detail: str) -> str:
    return detail if detail and len(detail) < 300 else "The request is not valid."


EXCEPTION_HANDLERS: Mapping[Any, Any] = {
    errors.DomainError: domain_error_handler,
    ValidationException: validation_handler,
    HTTPException: http_error_handler,
    Exception: unexpected_error_handler,
}

__all__ = ["EXCEPTION_HANDLERS", "PROBLEM_JSON", "problem"]
