"""The stock ledger: every change of a product's stock is a movement, so stock can be explained.

A movement says how much stock changed (signed), what it was after, why (its kind), and
who or which order moved it. It is written in the same transaction as the change, so for
every product the stock equals the sum of its movements, from the `initial` one on.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from uuid import UUID

from grocery.core.alerts import StockMove
from grocery.core.catalog import MAX_QUANTITY
from grocery.core.errors import InsufficientStock, Problems, field_error, invalid
from grocery.core.ids import new_id

NOTE_MAX_LENGTH = 500
# A single receipt or adjustment larger than any stock the catalog allows is a typo.
MAX_MOVEMENT_QUANTITY = 1_000_000


class MovementKind(StrEnum):
    INITIAL = "initial"  # the stock a product was created with (or had when the ledger began)
    SALE = "sale"  # taken by a checkout
    CANCELLATION = "cancellation"  # a cancelled order's units back on the shelf
    PICKING_RETURN = "picking_return"  # units ordered but not picked, back on the shelf
    SUBSTITUTION = "substitution"  # a substitute taken at a pick, or given back when re-picked
    RECEIPT = "receipt"  # goods in
    ADJUSTMENT = "adjustment"  # a count corrected by hand (a PATCH of stock is one too)


# What a manager may record by hand; the others follow from orders.
MANUAL_KINDS = frozenset({MovementKind.RECEIPT, MovementKind.ADJUSTMENT})


@dataclass(frozen=True, kw_only=True, slots=True)
class StockMovement:
    id: UUID
    product_id: UUID
    kind: MovementKind
    quantity: int  # signed: + onto the shelf, - off it
    stock_after: int
    created_at: datetime
    order_id: UUID | None = None
    user_id: UUID | None = None
    note: str | None = None


@dataclass(frozen=True, kw_only=True, slots=True)
class StockEntry:
    """A manager's receipt or adjustment, checked."""

    kind: MovementKind
    quantity: int
    note: str | None


def stock_entry(kind: str, quantity: int, note: str | None = None) -> StockEntry:
    """Invalid unless it is a receipt (> 0) or an adjustment (!= 0) with a short note."""
    problems = Problems()
    try:
        chosen = MovementKind(kind)
    except ValueError:
        chosen = MovementKind.ADJUSTMENT
        problems.add("kind", "must be receipt or adjustment")
    if chosen not in MANUAL_KINDS:
        problems.add("kind", "must be receipt or adjustment")
    if quantity == 0 or abs(quantity) > MAX_MOVEMENT_QUANTITY:
        problems.add("quantity", f"must not be 0 and at most {MAX_MOVEMENT_QUANTITY} either way")
    elif chosen is MovementKind.RECEIPT and quantity < 0:
        problems.add("quantity", "a receipt must be above 0")
    cleaned = None if note is None else note.strip() or None
    if cleaned is not None and len(cleaned) > NOTE_MAX_LENGTH:
        problems.add("note", f"must be at most {NOTE_MAX_LENGTH} characters")
    problems.raise_if_any("The stock movement is not valid.")
    return StockEntry(kind=chosen, quantity=quantity, note=cleaned)


def movement(
    move: StockMove,
    kind: MovementKind,
    at: datetime,
    *,
    order_id: UUID | None = None,
    user_id: UUID | None = None,
    note: str | None = None,
) -> StockMovement:
    """The ledger's line for one stock change."""
    return StockMovement(
        id=new_id(),
        product_id=move.product_id,
        kind=kind,
        quantity=move.stock_after - move.stock_before,
        stock_after=move.stock_after,
        created_at=at,
        order_id=order_id,
        user_id=user_id,
        note=note,
    )


def movements(
    moves: Iterable[StockMove],
    kind: MovementKind,
    at: datetime,
    *,
    order_id: UUID | None = None,
    user_id: UUID | None = None,
) -> list[StockMovement]:
    """One line per change that moved stock; a change of nothing leaves no line."""
    return [
        movement(move, kind, at, order_id=order_id, user_id=user_id)
        for move in moves
        if move.stock_after != move.stock_before
    ]


def initial_movement(
    product_id: UUID, stock: int, at: datetime, *, user_id: UUID | None = None
) -> StockMovement | None:
    """The first line of a new product's ledger: the stock it starts with (none for 0)."""
    if stock == 0:
        return None
    return StockMovement(
        id=new_id(),
        product_id=product_id,
        kind=MovementKind.INITIAL,
        quantity=stock,
        stock_after=stock,
        created_at=at,
        user_id=user_id,
    )


def check_room(stock: int, entry: StockEntry) -> None:
    """Invalid when the entry would take the stock past the most a product may hold (as a
    PATCH of stock may not): receipts piled up would otherwise overflow the shelf's count."""
    if stock + entry.quantity > MAX_QUANTITY:
        raise invalid("quantity", f"would take the stock past {MAX_QUANTITY}")


def too_little_stock(name: str, stock: int, quantity: int) -> InsufficientStock:
    """Why an adjustment can't take `-quantity` off a shelf holding `stock`."""
    return InsufficientStock(
        f"{name}: only {stock} in stock.",
        errors=[
            field_error(
                "quantity",
                f"would leave {stock + quantity} in stock",
                requested=quantity,
                available=stock,
            )
        ],
    )


def ledger_holds(stock: int, ledger: Iterable[StockMovement]) -> bool:
    """The ledger rule: a product's stock is the sum of its movements (none: no stock)."""
    return sum(line.quantity for line in ledger) == stock
