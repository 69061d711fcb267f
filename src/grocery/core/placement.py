"""What a checkout reads as it takes the cart, and writes once its order is priced: each
handed over in one go.

The cart's lines come out with the customer's held slot, the zone its delivery address falls
in now, and their account (whom the order-placed mail goes to). The order (its lines, its
products' sales and the reports' rollups), the stock it took as ledger lines, the
customer's mail and the answer kept under the Idempotency-Key: PostgreSQL stores them in
one statement, so a checkout waits on the database fewer times while it holds its
products' locks.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from grocery.core.cart import TakenCart
from grocery.core.fulfilment.slots import HeldSlot
from grocery.core.identity import User
from grocery.core.orders import Answer, Order
from grocery.core.outbox import OutboxMessage
from grocery.core.stock import StockMovement


@dataclass(frozen=True, kw_only=True, slots=True)
class KeyClaim:
    """The checkout's Idempotency-Key, claimed before its cart is taken."""

    key: str
    request_hash: str
    at: datetime


@dataclass(frozen=True, kw_only=True, slots=True)
class CartAtCheckout:
    cart: TakenCart
    held: HeldSlot | None  # the customer's hold, expired or not
    customer: User | None  # None once their account is gone
    # The zone the held address's postal code falls in now (DeliveryZoneRepository.id_for);
    # None when it falls in none, or the hold names no address.
    address_zone_id: UUID | None = None


@dataclass(frozen=True, kw_only=True, slots=True)
class KeptFor:
    """The answer to keep under the checkout's Idempotency-Key."""

    key: str
    answer: Answer


@dataclass(frozen=True, kw_only=True, slots=True)
class Placement:
    order: Order
    movements: Sequence[StockMovement]  # the sale's, one per product whose stock moved
    mail: Sequence[OutboxMessage] = ()  # the order-placed letter, once the order is confirmed
    kept: KeptFor | None = None  # none without a key, or while a card's payment is to come
