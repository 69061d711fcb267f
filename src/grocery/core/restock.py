"""Back in stock: customers who asked to be told (notify-me), and those who keep a product
in their wishlist, are mailed once when its stock goes from none to some.

A notify-me request ends with its mail; a wishlist stays, and tells again the next time
the product comes back. Stock changes lock the product's row, so of two receipts racing
on an empty shelf only one finds it empty: one mail each.
"""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from grocery.core.alerts import StockMove
from grocery.core.mail import Letter, MailKind


@dataclass(frozen=True, kw_only=True, slots=True)
class Waiting:
    """A customer waiting for a product: by a notify-me request or by their wishlist."""

    user_id: UUID
    email: str
    username: str


def came_back(move: StockMove) -> bool:
    """The move took the product from none in stock to some."""
    return move.stock_before <= 0 < move.stock_after


def back_in_stock_letter(customer: Waiting, product_name: str) -> Letter:
    return Letter(
        kind=MailKind.BACK_IN_STOCK,
        to=customer.email,
        to_name=customer.username,
        facts={"product_name": product_name},
    )
