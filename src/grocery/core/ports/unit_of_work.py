"""The whole unit of work: every repository in one transaction.

Services never ask for it: each asks for the narrow work of its area (CartWork,
CheckoutWork, ...). It is what the adapters provide and what the wiring hands out, and
since it is every narrow work at once, an adapter that provides it serves every service.
"""

from __future__ import annotations

from typing import Protocol

from grocery.core.ports.accounts import AccountWork
from grocery.core.ports.addresses import AddressWork
from grocery.core.ports.alerts import AlertWork
from grocery.core.ports.carts import GuestCartWork
from grocery.core.ports.catalog import CatalogWork, StockWork
from grocery.core.ports.fulfilment import FulfilmentWork
from grocery.core.ports.orders import CheckoutWork, OrderWork
from grocery.core.ports.outbox import OutboxWork
from grocery.core.ports.picking import PickingWork
from grocery.core.ports.promotions import PromoWork
from grocery.core.ports.restock import RestockWork
from grocery.core.ports.taxes import TaxWork
from grocery.core.ports.wishlists import WishlistWork


class UnitOfWork(
    AccountWork,
    CatalogWork,
    WishlistWork,
    PromoWork,
    CheckoutWork,
    OrderWork,
    PickingWork,
    StockWork,
    AlertWork,
    OutboxWork,
    RestockWork,
    AddressWork,
    FulfilmentWork,
    GuestCartWork,
    TaxWork,
    Protocol,
):
    """Users, refresh tokens, login failures, mailed link tokens and asks for them,
    categories, products, product images, the
    shelf, carts, wishlists, promo codes, stock, orders, redemptions, idempotency keys,
    low-stock alerts, notify-me requests, the outbox, picks and the stock ledger,
    addresses, delivery zones, pickup points, slots, guest carts and tax classes."""
