"""Carts in memory, and the shelf the cart prices from."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field, replace
from datetime import datetime
from uuid import UUID

from grocery.adapters.memory.catalog import CatalogTables
from grocery.core.cart import AddedLine, CartContents, CartEntry, ShelfItem, TakenCart
from grocery.core.substitutions import NO_PREFERENCE, SubstitutionChoice


@dataclass(frozen=True, slots=True)
class StoredLine:
    quantity: int
    added_at: datetime
    choice: SubstitutionChoice = NO_PREFERENCE


@dataclass(frozen=True, slots=True)
class GuestCart:
    token_hash: str
    last_used_at: datetime


@dataclass
class CartTables:
    """Customers' and guests' carts alike, by owner: a customer's id or a guest cart's."""

    lines: dict[tuple[UUID, UUID], StoredLine] = field(default_factory=dict)  # (owner, product) ->
    applied_promos: dict[UUID, UUID] = field(default_factory=dict)  # owner -> promo
    guests: dict[UUID, GuestCart] = field(default_factory=dict)  # guest cart id ->


# --- the shelf ----------------------------------------------------------------


class MemoryProductShelf:
    def __init__(self, catalog: CatalogTables, carts: CartTables) -> None:
        self._catalog = catalog
        self._products = catalog.products
        self._lines = carts.lines
        self._promos = carts.applied_promos

    async def in_cart(self, user_id: UUID, *, also: UUID | None = None) -> CartContents:
        entries = cart_entries(self._lines, user_id)
        wanted = [entry.product_id for entry in entries] + ([] if also is None else [also])
        return CartContents(
            entries=entries,
            shelf=await self.for_cart(wanted),
            promo_id=self._promos.get(user_id),
        )

    async def for_cart(self, product_ids: Collection[UUID]) -> dict[UUID, ShelfItem]:
        return {
            product.id: ShelfItem(
                product_id=product.id,
                name=product.name,
                slug=product.slug,
                unit_price=product.price,
                stock=product.stock,
                category_id=product.category_id,
                available=not product.archived,
                step_kg=product.step_kg,
                taxed_by=self._catalog.taxed_by(product),
            )
            for product_id in product_ids
            if (product := self._products.get(product_id)) is not None
        }


def cart_entries(lines: dict[tuple[UUID, UUID], StoredLine], user_id: UUID) -> list[CartEntry]:
    """The user's lines oldest first (by when they were added, then product id, as SQL's)."""
    theirs = sorted(
        (line.added_at, product_id, line)
        for (owner, product_id), line in lines.items()
        if owner == user_id
    )
    return [
        CartEntry(product_id=product_id, quantity=line.quantity, choice=line.choice)
        for _, product_id, line in theirs
    ]


# --- carts --------------------------------------------------------------------


class MemoryCartRepository:
    def __init__(self, tables: CartTables) -> None:
        self._lines = tables.lines
        self._promos = tables.applied_promos

    async def add(
        self, user_id: UUID, product_id: UUID, quantity: int, *, at: datetime, room: int
    ) -> AddedLine | None:
        held = self._lines.get((user_id, product_id), StoredLine(quantity=0, added_at=at))
        if held.quantity + quantity > room:
            return None
        self._lines[user_id, product_id] = replace(held, quantity=held.quantity + quantity)
        return AddedLine(quantity=held.quantity + quantity, created=held.quantity == 0)

    async def set_quantity(self, user_id: UUID, product_id: UUID, quantity: int) -> bool:
        line = self._lines.get((user_id, product_id))
        if line is None:
            return False
        self._lines[user_id, product_id] = replace(line, quantity=quantity)
        return True

    async def set_choice(self, user_id: UUID, product_id: UUID, choice: SubstitutionChoice) -> bool:
        line = self._lines.get((user_id, product_id))
        if line is None:
            return False
        self._lines[user_id, product_id] = replace(line, choice=choice)
        return True

    async def remove(self, user_id: UUID, product_id: UUID) -> bool:
        return self._lines.pop((user_id, product_id), None) is not None

    async def empty(self, user_id: UUID) -> None:
        for key in [key for key in self._lines if key[0] == user_id]:
            del self._lines[key]
        self._promos.pop(user_id, None)

    async def take_all(self, user_id: UUID) -> TakenCart:
        # As SQL's statement, which reads the promo off the lines it took: none without lines.
        entries = cart_entries(self._lines, user_id)
        promo_id = self._promos.get(user_id) if entries else None
        await self.empty(user_id)
        return TakenCart(entries=entries, promo_id=promo_id)

    async def set_promo(self, user_id: UUID, promo_id: UUID | None) -> None:
        if promo_id is None:
            self._promos.pop(user_id, None)
        else:
            self._promos[user_id] = promo_id


# --- guest carts --------------------------------------------------------------


class MemoryGuestCartRepository:
    def __init__(self, tables: CartTables) -> None:
        self._tables = tables
        self._guests = tables.guests

    async def open(self, cart_id: UUID, token_hash: str, at: datetime) -> None:
        self._guests[cart_id] = GuestCart(token_hash=token_hash, last_used_at=at)

    async def find(self, token_hash: str, *, at: datetime, idle_since: datetime) -> UUID | None:
        cart_id = self._live(token_hash, idle_since)
        if cart_id is not None:
            cart = self._guests[cart_id]
            self._guests[cart_id] = replace(cart, last_used_at=max(cart.last_used_at, at))
        return cart_id

    async def take(self, token_hash: str, *, idle_since: datetime) -> TakenCart | None:
        cart_id = self._live(token_hash, idle_since)
        if cart_id is None:
            return None
        taken = TakenCart(
            entries=cart_entries(self._tables.lines, cart_id),
            promo_id=self._tables.applied_promos.get(cart_id),
        )
        await MemoryCartRepository(self._tables).empty(cart_id)
        del self._guests[cart_id]
        return taken

    def _live(self, token_hash: str, idle_since: datetime) -> UUID | None:
        return next(
            (
                cart_id
                for cart_id, cart in self._guests.items()
                if cart.token_hash == token_hash and cart.last_used_at > idle_since
            ),
            None,
        )
