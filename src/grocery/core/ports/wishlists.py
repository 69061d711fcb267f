"""Wishlists."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol
from uuid import UUID

from grocery.core.cart import WishedProduct, WishlistMark
from grocery.core.ports.carts import CartWork


class WishlistRepository(Protocol):
    async def page(
        self, user_id: UUID, *, after: WishlistMark | None, limit: int
    ) -> list[WishedProduct]:
        """Newest first, after the given mark (keyset), at most `limit`."""
        ...

    async def get(self, user_id: UUID, product_id: UUID) -> WishedProduct | None: ...

    async def add(self, user_id: UUID, product_id: UUID, at: datetime) -> bool:
        """False when it was already there (and then nothing changes)."""
        ...

    async def remove(self, user_id: UUID, product_id: UUID) -> bool:
        """False when it wasn't there."""
        ...


class WishlistWork(CartWork, Protocol):
    """What the wishlist's use cases work with: a wished product moves into the cart."""

    wishlist: WishlistRepository
