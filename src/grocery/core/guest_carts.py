"""Guest carts: a shopper fills a cart before signing up, holding only an opaque token, and
brings it along at sign-in.

A guest cart lives while it is used: left idle for GUEST_CART_IDLE it is gone (unknown to
every route, then swept away). Merging adds the guest's lines to the customer's: the
quantities are summed but capped by the stock and the line limit (a customer's own line is
never cut), the customer's own substitution choice and promo code win over the guest's, and
a product no longer for sale is left behind.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import timedelta
from uuid import UUID

from grocery.core.cart import CartContents, CartEntry, ShelfItem
from grocery.core.errors import NotAuthenticated, NotFound
from grocery.core.substitutions import NO_PREFERENCE, SubstitutionChoice

GUEST_CART_IDLE = timedelta(days=30)


@dataclass(frozen=True, kw_only=True, slots=True)
class MergedLine:
    """What merging does to one product's line in the customer's cart."""

    product_id: UUID
    added: int  # units to put on the line (0: it stays as it is)
    room: int  # how many the line may hold now
    choice: SubstitutionChoice | None  # the choice to set, None to keep the line's own


def merged_lines(
    customer: CartContents, guest: Sequence[CartEntry], shelf: Mapping[UUID, ShelfItem]
) -> list[MergedLine]:
    """The guest's lines as they join the customer's cart, in the guest's order."""
    merged = []
    for entry in guest:
        item = shelf.get(entry.product_id)
        if item is None or not item.available:
            continue
        held = customer.quantity_of(entry.product_id)
        added = max(0, min(held + entry.quantity, item.room) - held)
        choice = _merged_choice(customer, entry)
        if added or (held and choice is not None):
            merged.append(
                MergedLine(product_id=entry.product_id, added=added, room=item.room, choice=choice)
            )
    return merged


def _merged_choice(customer: CartContents, guest: CartEntry) -> SubstitutionChoice | None:
    """The guest's choice, unless the customer made one of their own for the product."""
    own = next((e.choice for e in customer.entries if e.product_id == guest.product_id), None)
    if guest.choice == NO_PREFERENCE or (own is not None and own != NO_PREFERENCE):
        return None
    return guest.choice


def guest_cart_refused() -> NotAuthenticated:
    """The answer to a cart token that is unknown, expired, merged or forged."""
    return NotAuthenticated(
        "This guest cart token is not valid: the cart may be merged or expired; start a new one.",
        code="invalid_cart_token",
    )


def no_such_guest_cart() -> NotFound:
    return NotFound("There is no such guest cart: it may be merged already or expired.")
