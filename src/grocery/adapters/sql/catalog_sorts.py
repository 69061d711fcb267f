"""How the storefront finds and orders products: the search's two ways of matching, each
sort's key, and the cursor that carries a page's last key to the next page.

Pages are keyset pages: each sort orders by (key, id) in one direction, so the next page
starts strictly after the last row's (key, id) and one btree index (scanned forwards or
backwards) serves both the order and the bound. No OFFSET, no COUNT.

The cursor is opaque to clients: base64url of a msgspec-encoded [sort, key, id]. A cursor
that doesn't decode, or was made for another sort, is refused as Invalid (422).
"""

from __future__ import annotations

import base64
import binascii
import math
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any
from uuid import UUID

import msgspec
from sqlalchemy import (
    ColumnElement,
    Float,
    String,
    bindparam,
    case,
    cast,
    func,
    literal_column,
    or_,
    select,
)

from grocery.adapters.sql.schema.catalog import products
from grocery.core.errors import Invalid
from grocery.core.storefront import ProductQuery, Sort

p = products.alias("p")  # as every storefront statement names it

CursorKey = int | float | str
_INT4_MIN, _INT4_MAX = -(2**31), 2**31 - 1
_PRICE_LIMIT = Decimal(10) ** 10  # numeric(12, 2)


# --- search -------------------------------------------------------------------

_ENGLISH: ColumnElement[Any] = literal_column("'english'::regconfig")
# What was typed, worked out once per statement: as subqueries they are InitPlans, so the
# prepared statement's generic plan doesn't unaccent and parse them again for every row it
# matches and ranks (three times a row, which made a broad search three times slower).
_TSQUERY = select(
    func.to_tsquery(_ENGLISH, func.grocery_unaccent(bindparam("tsquery", type_=String)))
).scalar_subquery()
_TYPED = select(
    func.lower(func.grocery_unaccent(bindparam("typed", type_=String)))
).scalar_subquery()
FOUND = p.c.search.bool_op("@@")(_TSQUERY)

LOOKS_ALIKE = _TYPED.bool_op("<%")(p.c.name_key)

# Full-text (each word as a prefix, so `straw` finds strawberries) OR trigram word similarity
# on the unaccented name (so `bananna` finds bananas); both halves have a GIN index.
MATCHES = or_(FOUND, LOOKS_ALIKE)
# Words found rank above look-alikes (1 + ts_rank against a similarity of at most 1), and
# the costly similarity is only worked out for look-alikes. float8: exact in a cursor.
_SCORE = cast(
    case(
        (FOUND, 1 + func.ts_rank(p.c.search, _TSQUERY)),
        else_=func.word_similarity(_TYPED, p.c.name_key),
    ),
    Float,
)


def search_values(query: ProductQuery) -> dict[str, str]:
    return {
        "tsquery": " & ".join(f"{word}:*" for word in query.search_words),
        "typed": query.search or "",
    }


# --- sorts and cursors --------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Order:
    """How one sort orders rows, and how its key travels in a cursor."""

    key: ColumnElement[Any]
    descending: bool
    to_cursor: Callable[[Any], CursorKey]
    from_cursor: Callable[[CursorKey], Any]


def _whole(value: CursorKey) -> int:
    if type(value) is not int:
        raise TypeError("an integer key")
    if not _INT4_MIN <= value <= _INT4_MAX:  # PostgreSQL would refuse it as a parameter
        raise ValueError("outside an integer column's range")
    return value


def _text(value: CursorKey) -> str:
    if not isinstance(value, str):
        raise TypeError("a text key")
    if "\x00" in value:  # no name holds one: PostgreSQL can't store it
        raise ValueError("a NUL character")
    return value


def _money(value: CursorKey) -> Decimal:
    amount = Decimal(_text(value))
    if not amount.is_finite() or abs(amount) >= _PRICE_LIMIT:  # NaN would match no row
        raise ValueError("not a price")
    return amount


def _moment(value: CursorKey) -> datetime:
    moment = datetime.fromisoformat(_text(value))
    if moment.tzinfo is None:
        raise ValueError("a zoned timestamp")
    return moment


def _score(value: CursorKey) -> float:
    if isinstance(value, str):
        raise TypeError("a numeric key")
    score = float(value)
    if not math.isfinite(score):
        raise ValueError("not a score")
    return score


ORDERS = {
    Sort.POPULAR: Order(p.c.units_sold, True, int, _whole),
    Sort.LEAST_POPULAR: Order(p.c.units_sold, False, int, _whole),
    Sort.PRICE: Order(p.c.price, False, str, _money),
    Sort.PRICE_DESC: Order(p.c.price, True, str, _money),
    Sort.NEWEST: Order(p.c.created_at, True, datetime.isoformat, _moment),
    Sort.NAME: Order(p.c.name_key, False, str, _text),
    Sort.RELEVANCE: Order(_SCORE, True, float, _score),
}

_CURSOR = msgspec.json.Decoder(tuple[str, CursorKey, UUID])
_encode = msgspec.json.Encoder().encode


def encode_cursor(sort: Sort, key: Any, row_id: UUID) -> str:
    raw = _encode((sort.value, ORDERS[sort].to_cursor(key), row_id))
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def decode_cursor(cursor: str, sort: Sort) -> tuple[Any, UUID]:
    """The (key, id) the previous page ended on; Invalid for anything this module didn't make."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        made_for, key, row_id = _CURSOR.decode(raw)
        if made_for != sort.value:
            raise ValueError("another sort")
        return ORDERS[sort].from_cursor(key), row_id
    except (binascii.Error, msgspec.DecodeError, ValueError, TypeError, InvalidOperation):
        raise Invalid(
            "The cursor is not valid for this query.",
            errors=[{"field": "cursor", "message": "is not a cursor this list gave out"}],
        ) from None
