"""Wishlists in PostgreSQL: each customer's kept products, newest first."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from sqlalchemy import RowMapping, delete, select, tuple_
from sqlalchemy.dialects.postgresql import insert as pg_insert

from grocery.adapters.sql.database import SessionSql
from grocery.adapters.sql.schema.catalog import product_images, products
from grocery.adapters.sql.schema.wishlists import wishlist_items
from grocery.core.cart import WishedProduct, WishlistMark

_FIRST_IMAGE = (
    select(product_images.c.key)
    .where(product_images.c.product_id == products.c.id)
    .order_by(product_images.c.id)
    .limit(1)
    .scalar_subquery()
)

_WISHED = select(
    wishlist_items.c.product_id,
    wishlist_items.c.added_at,
    products.c.name,
    products.c.slug,
    products.c.price,
    products.c.stock,
    products.c.archived,
    _FIRST_IMAGE.label("image_key"),
).join(products, products.c.id == wishlist_items.c.product_id)


class SqlWishlistRepository:
    def __init__(self, sql: SessionSql) -> None:
        self._sql = sql

    async def page(
        self, user_id: UUID, *, after: WishlistMark | None, limit: int
    ) -> list[WishedProduct]:
        newest_first = (wishlist_items.c.added_at.desc(), wishlist_items.c.product_id.desc())
        query = (
            _WISHED.where(wishlist_items.c.user_id == user_id).order_by(*newest_first).limit(limit)
        )
        if after is not None:
            query = query.where(
                tuple_(wishlist_items.c.added_at, wishlist_items.c.product_id) < tuple_(*after)
            )
        return [_wished(row) for row in (await self._sql.execute(query)).mappings()]

    async def get(self, user_id: UUID, product_id: UUID) -> WishedProduct | None:
        query = _WISHED.where(
            wishlist_items.c.user_id == user_id, wishlist_items.c.product_id == product_id
        )
        row = (await self._sql.execute(query)).mappings().first()
        return None if row is None else _wished(row)

    async def add(self, user_id: UUID, product_id: UUID, at: datetime) -> bool:
        statement = (
            pg_insert(wishlist_items)
            .values(user_id=user_id, product_id=product_id, added_at=at)
            .on_conflict_do_nothing()
            .returning(wishlist_items.c.product_id)
        )
        return (await self._sql.execute(statement)).first() is not None

    async def remove(self, user_id: UUID, product_id: UUID) -> bool:
        statement = (
            delete(wishlist_items)
            .where(wishlist_items.c.user_id == user_id, wishlist_items.c.product_id == product_id)
            .returning(wishlist_items.c.product_id)
        )
        return (await self._sql.execute(statement)).first() is not None


def _wished(row: RowMapping) -> WishedProduct:
    return WishedProduct(
        product_id=row["product_id"],
        name=row["name"],
        slug=row["slug"],
        price=row["price"],
        stock=row["stock"],
        available=not row["archived"],
        image_key=row["image_key"],
        added_at=row["added_at"],
    )
