"""The shop's refusals. Each carries a stable `code` from the API contract.

The kind of error (its class) says how bad it is; entrypoints map kinds to
HTTP statuses, so the core never speaks HTTP.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import ClassVar, TypeVar

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


class InUse(Conflict):
    """A record can't be deleted while others still refer to it."""

    default_code = "in_use"


class ConcurrentUpdate(Conflict):
    """Another request changed the same data at the same moment, and this one was undone
    whole (the database broke a deadlock or a serialization conflict): nothing was saved,
    and sending it again is safe."""

    default_code = "concurrent_update"


class Invalid(DomainError):
    """Well-formed input the shop's rules refuse (HTTP 422)."""

    default_code = "validation_error"


class BadRequest(DomainError):
    """A request that can't be acted on as sent (HTTP 400): a mailed link's token that is
    unknown, used, expired or tampered with."""

    default_code = "bad_request"


class NotAuthenticated(DomainError):
    default_code = "not_authenticated"


class Forbidden(DomainError):
    default_code = "forbidden"


class TooManyAttempts(DomainError):
    """Refused for now; worth trying again after `retry_after_seconds`."""

    default_code = "too_many_attempts"

    def __init__(
        self,
        detail: str,
        *,
        retry_after_seconds: int,
        code: str | None = None,
        errors: Sequence[ErrorDetail] = (),
    ) -> None:
        super().__init__(detail, code=code, errors=errors)
        self.retry_after_seconds = retry_after_seconds


class PaymentDeclined(DomainError):
    """The customer's bank or card refused the payment (HTTP 402)."""

    default_code = "payment_declined"


class PayloadTooLarge(DomainError):
    default_code = "payload_too_large"


class UnsupportedMediaType(DomainError):
    default_code = "unsupported_media_type"


class ServiceUnavailable(DomainError):
    """A backing service (database, storage) can't be reached right now."""

    default_code = "service_unavailable"


def field_error(field: str, message: str, **facts: object) -> ErrorDetail:
    """One entry of a problem's `errors`: what is wrong with which field, and any facts a
    client acts on (a product's id, how many are available)."""
    return {"field": field, "message": message, **facts}


def invalid(field: str, message: str) -> Invalid:
    """The refusal of one field: "quantity must be between 1 and 999"."""
    return Invalid(f"{field} {message}", errors=[field_error(field, message)])


Read = TypeVar("Read")
Fallback = TypeVar("Fallback")


class Problems:
    """Every problem found in what was sent, gathered so the sender sees them all in one
    answer, then raised once as Invalid."""

    def __init__(self, *found: Iterable[ErrorDetail]) -> None:
        self._errors: list[ErrorDetail] = [error for errors in found for error in errors]

    def add(self, field: str, message: str | None) -> None:
        """Note what is wrong with `field`; None is nothing wrong."""
        if message is not None:
            self._errors.append(field_error(field, message))

    def extend(self, found: Iterable[ErrorDetail]) -> None:
        self._errors.extend(found)

    def read(self, parse: Callable[[], Read], fallback: Fallback) -> Read | Fallback:
        """What `parse` reads, or `fallback` with the problems of its refusal noted, so the
        other fields are still checked."""
        try:
            return parse()
        except Invalid as refusal:
            self._errors.extend(refusal.errors)
            return fallback

    @property
    def errors(self) -> list[ErrorDetail]:
        return list(self._errors)

    @property
    def fields(self) -> frozenset[object]:
        """The fields found wrong so far."""
        return frozenset(error["field"] for error in self._errors)

    @property
    def summary(self) -> str:
        """The problems in one line: "to must not be before from; limit must be ..."."""
        return "; ".join(f"{error['field']} {error['message']}" for error in self._errors)

    def refusal(self, detail: str) -> Invalid:
        return Invalid(detail, errors=self._errors)

    def raise_if_any(self, detail: str) -> None:
        if self._errors:
            raise self.refusal(detail)
