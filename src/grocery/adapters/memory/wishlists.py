"""Wishlists in memory."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from uuid import UUID

from grocery.adapters.memory.catalog import CatalogTables
from grocery.core.cart import WishedProduct, WishlistMark


@dataclass
class WishlistTables:
    items: dict[tuple[UUID, UUID], datetime] = field(default_factory=dict)  # -> added_at


class MemoryWishlistRepository:
    def __init__(self, tables: WishlistTables, catalog: CatalogTables) -> None:
        self._wishlist = tables.items
        self._catalog = catalog

    async def page(
        self, user_id: UUID, *, after: WishlistMark | None, limit: int
    ) -> list[WishedProduct]:
        marks = sorted(
            (
                (added_at, product_id)
                for (owner, product_id), added_at in self._wishlist.items()
                if owner == user_id
            ),
            reverse=True,
        )
        chosen = [mark for mark in marks if after is None or mark < after][:limit]
        return [self._wished(product_id, added_at) for added_at, product_id in chosen]

    async def get(self, user_id: UUID, product_id: UUID) -> WishedProduct | None:
        added_at = self._wishlist.get((user_id, product_id))
        return None if added_at is None else self._wished(product_id, added_at)

    async def add(self, user_id: UUID, product_id: UUID, at: datetime) -> bool:
        if (user_id, product_id) in self._wishlist:
            return False
        self._wishlist[user_id, product_id] = at
        return True

    async def remove(self, user_id: UUID, product_id: UUID) -> bool:
        return self._wishlist.pop((user_id, product_id), None) is not None

    def _wished(self, product_id: UUID, added_at: datetime) -> WishedProduct:
        product = self._catalog.products[product_id]
        images = [i for i in self._catalog.images.values() if i.product_id == product_id]
        first = min(images, key=lambda image: image.id, default=None)
        return WishedProduct(
            product_id=product_id,
            name=product.name,
            slug=product.slug,
            price=product.price,
            stock=product.stock,
            available=not product.archived,
            image_key=None if first is None else first.key,
            added_at=added_at,
        )
