"""The shop's refusals. Each carries a stable `code` from the API contract.

The kind of error (its class) says how bad it is; entrypoints map kinds to
HTTP statuses, so the core never speaks HTTP.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import ClassVar

ErrorDetail = Mapping[str, object]


class DomainError(Exception):
    """Base of every refusal the shop gives on purpose."""

    default_code: ClassVar[str] = "domain_error"

    def __init__(
        self,
        detail: str,
        *,
        code: str | None = None,
        errors: Sequence[ErrorDetail] = (),
    ) -> None:
        super().__init__(detail)
        self.detail = detail
        self.code = code or self.default_code
        self.errors = list(errors)


class NotFound(DomainError):
    default_code = "not_found"


class Conflict(DomainError):
    default_code = "conflict"


class AlreadyExists(Conflict):
    default_code = "already_exists"


class InsufficientStock(Conflict):
    default_code = "insufficient_stock"


class Invalid(DomainError):
    """Well-formed input the shop's rules refuse (HTTP 422)."""

    default_code = "validation_error"


class NotAuthenticated(DomainError):
    default_code = "not_authenticated"


class Forbidden(DomainError):
    default_code = "forbidden"


class TooManyAttempts(DomainError):
    default_code = "too_many_attempts"


class PayloadTooLarge(DomainError):
    default_code = "payload_too_large"


class UnsupportedMediaType(DomainError):
    default_code = "unsupported_media_type"


class ServiceUnavailable(DomainError):
    """A backing service (database, storage) can't be reached right now."""

    default_code = "service_unavailable"


def field_error(field: str, message: str) -> ErrorDetail:
    """One entry of a problem's `errors`: what is wrong with which field."""
    return {"field": field, "message": message}
