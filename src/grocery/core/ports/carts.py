"""Carts and the products they are priced from."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime
from typing import Protocol
from uuid import UUID

from grocery.core.cart import AddedLine, CartContents, ShelfItem, TakenCart
from grocery.core.ports.addresses import AddressRepository
from grocery.core.ports.fulfilment import (
    DeliveryZoneRepository,
    PickupPointRepository,
    SlotHoldRepository,
    SlotRepository,
)
from grocery.core.ports.promotions import PromoCodeRepository
from grocery.core.ports.transaction import Transaction
from grocery.core.substitutions import SubstitutionChoice


class ProductShelf(Protocol):
    async def for_cart(self, product_ids: Collection[UUID]) -> dict[UUID, ShelfItem]:
        """Those products by id, archived ones too; unknown ids are left out."""
        ...

    async def in_cart(self, user_id: UUID, *, also: UUID | None = None) -> CartContents:
        """The user's lines, oldest first, their products as for_cart gives them, and the
        promo code applied to the cart, in one read; with `also`, that product's too,
        whether the cart holds it or not."""
        ...


class CartRepository(Protocol):
    async def add(
        self, user_id: UUID, product_id: UUID, quantity: int, *, at: datetime, room: int
    ) -> AddedLine | None:
        """Put `quantity` more on the line, making it when new, in one atomic step; None
        (and nothing changes) when the line would then hold more than `room`."""
        ...

    async def set_quantity(self, user_id: UUID, product_id: UUID, quantity: int) -> bool:
        """False when there is no such line."""
        ...

    async def set_choice(self, user_id: UUID, product_id: UUID, choice: SubstitutionChoice) -> bool:
        """Set the line's substitution choice; False when there is no such line."""
        ...

    async def remove(self, user_id: UUID, product_id: UUID) -> bool:
        """False when there was no such line."""
        ...

    async def empty(self, user_id: UUID) -> None:
        """Every line and the applied promo code go."""
        ...

    async def take_all(self, user_id: UUID) -> TakenCart:
        """The lines (oldest first) and the applied promo code, taken out of the cart at
        once: the cart is left empty, and a rollback puts them back. A concurrent checkout
        of the same cart waits, then finds it empty; a line added meanwhile stays in it."""
        ...

    async def set_promo(self, user_id: UUID, promo_id: UUID | None) -> None: ...


class CartWork(Transaction, Protocol):
    """What the cart's use cases work with: its lines, their products, its promo code, the
    slot it holds."""

    shelf: ProductShelf
    cart: CartRepository
    promo_codes: PromoCodeRepository
    holds: SlotHoldRepository


class GuestCartRepository(Protocol):
    """Guest carts by their token's hash; their lines are a CartRepository's, keyed by the
    guest cart's id (a unit of work opened for guests binds `cart` and `shelf` to them)."""

    async def open(self, cart_id: UUID, token_hash: str, at: datetime) -> None: ...

    async def find(self, token_hash: str, *, at: datetime, idle_since: datetime) -> UUID | None:
        """The id of the cart with this token if it was used after `idle_since`, marking it
        used `at`; else None."""
        ...

    async def take(self, token_hash: str, *, idle_since: datetime) -> TakenCart | None:
        """The live cart's lines (oldest first) and promo code, the cart deleted with them;
        None when no live cart has this token. A concurrent take of the same cart waits,
        then gets None."""
        ...


class GuestCartWork(CartWork, Protocol):
    """Merging a guest's cart into a customer's: both carts in one transaction."""

    guest_carts: GuestCartRepository


class SlotHoldWork(CartWork, Protocol):
    """What holding a slot works with: the slot, where it is, the customer's address, and
    the cart it is priced into."""

    slots: SlotRepository
    delivery_zones: DeliveryZoneRepository
    pickup_points: PickupPointRepository
    addresses: AddressRepository
