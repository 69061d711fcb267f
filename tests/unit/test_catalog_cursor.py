"""Storefront cursors: opaque, exact for every sort's key, refused when tampered with."""

from __future__ import annotations

import base64
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any
from uuid import UUID

import pytest

from grocery.adapters.sql.catalog_sorts import decode_cursor, encode_cursor
from grocery.core.errors import Invalid
from grocery.core.storefront import Sort, product_query

ROW = UUID("01900000-0000-7000-8000-0000000000aa")


@pytest.mark.parametrize(
    ("sort", "q", "key"),
    [
        ("popular", None, 41),
        ("-popular", None, 0),
        ("price", None, Decimal("12.50")),
        ("-price", None, Decimal("0.99")),
        ("newest", None, datetime(2026, 11, 25, 8, 30, 1, 123456, tzinfo=UTC)),
        ("name", None, "crème fraîche"),
        (None, "straw", 0.6079270839691162),
    ],
)
def test_a_cursor_gives_back_the_exact_key_and_id(
    sort: str | None, q: str | None, key: Any
) -> None:
    query = product_query(sort=sort, q=q)

    cursor = encode_cursor(query.sort, key, ROW)

    assert decode_cursor(cursor, query.sort) == (key, ROW)
    assert "=" not in cursor and "/" not in cursor and "+" not in cursor


def test_a_cursor_for_another_sort_is_refused() -> None:
    cursor = encode_cursor(Sort.POPULAR, 3, ROW)

    with pytest.raises(Invalid) as error:
        decode_cursor(cursor, Sort.LEAST_POPULAR)

    assert error.value.errors == [
        {"field": "cursor", "message": "is not a cursor this list gave out"}
    ]


def _forged(payload: bytes) -> str:
    return base64.urlsafe_b64encode(payload).rstrip(b"=").decode()


@pytest.mark.parametrize(
    ("sort", "cursor"),
    [
        ("popular", "not-base64!!"),
        ("popular", _forged(b"not json")),
        ("popular", _forged(b'["popular", 3]')),
        ("popular", _forged(b'["popular", "3", "01900000-0000-7000-8000-0000000000aa"]')),
        ("popular", _forged(b'["popular", 3.5, "01900000-0000-7000-8000-0000000000aa"]')),
        ("popular", _forged(b'["popular", 3, "not-a-uuid"]')),
        ("price", _forged(b'["price", "cheap", "01900000-0000-7000-8000-0000000000aa"]')),
        (
            "newest",
            _forged(b'["newest", "2026-11-25T08:30:01", "01900000-0000-7000-8000-0000000000aa"]'),
        ),
        ("name", _forged(b'["name", 7, "01900000-0000-7000-8000-0000000000aa"]')),
        ("popular", _forged(b'["popular", 2147483648, "01900000-0000-7000-8000-0000000000aa"]')),
        ("-popular", _forged(b'["-popular", -2147483649, "01900000-0000-7000-8000-0000000000aa"]')),
        ("price", _forged(b'["price", "NaN", "01900000-0000-7000-8000-0000000000aa"]')),
        ("-price", _forged(b'["-price", "-Infinity", "01900000-0000-7000-8000-0000000000aa"]')),
        ("price", _forged(b'["price", "1e12", "01900000-0000-7000-8000-0000000000aa"]')),
        ("relevance", _forged(b'["relevance", 1e400, "01900000-0000-7000-8000-0000000000aa"]')),
        ("popular", ""),
    ],
)
def test_tampered_cursors_are_refused(sort: str, cursor: str) -> None:
    with pytest.raises(Invalid):
        decode_cursor(cursor, Sort(sort))
