"""List pages: the `limit` parameter and opaque keyset cursors.

A cursor is where the last page ended (an id, or a timestamp and an id), base64url
encoded. Clients pass it back as it is; one they made up is a 422, never a 500.
"""

from __future__ import annotations

import base64
import binascii
import struct
from datetime import UTC, datetime, timedelta
from typing import Annotated
from uuid import UUID

from litestar.params import QueryParameter

from grocery.core.errors import Invalid

Limit = Annotated[int, QueryParameter(ge=1, le=100, description="Page size, 1 to 100.")]
DEFAULT_LIMIT = 20

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MICROSECONDS = struct.Struct(">q")


def id_cursor(last_id: UUID | None) -> str | None:
    """Opaque to clients: the last id seen; None when the page was the last."""
    return None if last_id is None else _encode(last_id.bytes)


def read_id_cursor(cursor: str | None) -> UUID | None:
    if cursor is None:
        return None
    raw = _decode(cursor)
    if len(raw) != 16:
        raise _not_a_cursor()
    return UUID(bytes=raw)


def mark_cursor(moment: datetime, last_id: UUID) -> str:
    """Opaque to clients: the last row's timestamp (to the microsecond) and id."""
    elapsed = (moment - _EPOCH) // timedelta(microseconds=1)
    return _encode(_MICROSECONDS.pack(elapsed) + last_id.bytes)


def read_mark_cursor(cursor: str | None) -> tuple[datetime, UUID] | None:
    if cursor is None:
        return None
    raw = _decode(cursor)
    if len(raw) != _MICROSECONDS.size + 16:
        raise _not_a_cursor()
    (elapsed,) = _MICROSECONDS.unpack(raw[: _MICROSECONDS.size])
    try:
        moment = _EPOCH + timedelta(microseconds=elapsed)
    except OverflowError:
        raise _not_a_cursor() from None
    return moment, UUID(bytes=raw[_MICROSECONDS.size :])


def refuse_any_cursor(cursor: str | None) -> None:
    """For a list that always comes whole: it never gave out a cursor to come back with."""
    if cursor:
        raise _not_a_cursor()


def _encode(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def _decode(cursor: str) -> bytes:
    try:
        return base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
    except (ValueError, binascii.Error):
        raise _not_a_cursor() from None


def _not_a_cursor() -> Invalid:
    return Invalid(
        "The cursor is not valid.", errors=[{"field": "cursor", "message": "not a cursor"}]
    )
