"""Carts, wishlists and promo codes in PostgreSQL, and the shelf the cart prices from.

The shelf reads the catalog's `products` table with SQLAlchemy Core: prices and stock
are always today's. Lines cascade away with their user or with a deleted product.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from datetime import datetime
from typing import Any
from uuid import UUID

from advanced_alchemy.base import orm_registry
from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Column,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    RowMapping,
    String,
    Table,
    Uuid,
    column,
    delete,
    func,
    insert,
    select,
    table,
    tuple_,
    update,
)
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from grocery.adapters.sql.catalog import categories, product_images, products
from grocery.adapters.sql.database import SessionSql
from grocery.core.cart import (
    AddedLine,
    CartContents,
    CartEntry,
    ShelfItem,
    TakenCart,
    WishedProduct,
    WishlistMark,
)
from grocery.core.errors import AlreadyExists, DomainError, Invalid
from grocery.core.promotions import DiscountType, PromoCode

metadata = orm_registry.metadata

cart_items = Table(
    "cart_items",
    metadata,
    Column("user_id", Uuid, ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
    Column(
        "product_id",
        Uuid,
        ForeignKey("products.id", ondelete="CASCADE"),
        primary_key=True,
        index=True,  # the cascade from a deleted product
    ),
    Column("quantity", Integer, nullable=False),
    Column("added_at", DateTime(timezone=True), nullable=False),
    CheckConstraint("quantity BETWEEN 1 AND 999", name="quantity_range"),
)

# One row per user who applied a code; the code goes with the promo if it is deleted.
carts = Table(
    "carts",
    metadata,
    Column("user_id", Uuid, ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
    Column(
        "promo_code_id",
        Uuid,
        ForeignKey("promo_codes.id", ondelete="SET NULL"),
        index=True,
    ),
)

wishlist_items = Table(
    "wishlist_items",
    metadata,
    Column("user_id", Uuid, ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
    Column(
        "product_id",
        Uuid,
        ForeignKey("products.id", ondelete="CASCADE"),
        primary_key=True,
        index=True,
    ),
    Column("added_at", DateTime(timezone=True), nullable=False),
)
# Serves the newest-first keyset page.
Index(
    "ix_wishlist_items_user_id_added_at",
    wishlist_items.c.user_id,
    wishlist_items.c.added_at,
    wishlist_items.c.product_id,
)

promo_codes = Table(
    "promo_codes",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("code", String(40), nullable=False),
    Column("discount_type", String(8), nullable=False),
    Column("value", Numeric(12, 2), nullable=False),
    Column("is_active", Boolean, nullable=False),
    Column("starts_at", DateTime(timezone=True)),
    Column("expires_at", DateTime(timezone=True)),
    Column("min_order_amount", Numeric(12, 2)),
    Column("max_discount", Numeric(12, 2)),
    Column("max_uses", Integer),
    Column("max_uses_per_customer", Integer),
    Column("times_used", Integer, nullable=False, server_default="0"),
    Column("created_at", DateTime(timezone=True), nullable=False),
    CheckConstraint("discount_type IN ('percent', 'fixed')", name="discount_type"),
    CheckConstraint("value > 0", name="value_positive"),
    CheckConstraint("discount_type <> 'percent' OR value <= 100", name="percent_at_most_100"),
    CheckConstraint("starts_at < expires_at", name="starts_before_expiry"),
    CheckConstraint("min_order_amount >= 0", name="min_order_amount_not_negative"),
    CheckConstraint("max_discount >= 0", name="max_discount_not_negative"),
    CheckConstraint("max_uses >= 1", name="max_uses_positive"),
    CheckConstraint("max_uses_per_customer >= 1", name="max_uses_per_customer_positive"),
    CheckConstraint("times_used >= 0", name="times_used_not_negative"),
    CheckConstraint("max_uses IS NULL OR times_used <= max_uses", name="times_used_within_max"),
)
PROMO_CODE_INDEX = "uq_promo_codes_code_key"  # codes are unique ignoring case
Index(PROMO_CODE_INDEX, func.upper(promo_codes.c.code), unique=True)
TIMES_USED_CHECK = "ck_promo_codes_times_used_within_max"

promo_code_categories = Table(
    "promo_code_categories",
    metadata,
    Column("promo_id", Uuid, ForeignKey("promo_codes.id", ondelete="CASCADE"), primary_key=True),
    # RESTRICT: a scoped code must not silently become a whole-cart code.
    Column(
        "category_id",
        Uuid,
        ForeignKey("categories.id", ondelete="RESTRICT"),
        primary_key=True,
        index=True,
    ),
)

# Checkout's table (adapters/sql/orders.py), named here without importing it (it imports us).
_redemptions = table("promo_redemptions", column("promo_code_id"), column("user_id"))

_UNIQUE_VIOLATION = "23505"
_FOREIGN_KEY_VIOLATION = "23503"
_CHECK_VIOLATION = "23514"


def _violation(error: IntegrityError) -> tuple[str | None, str]:
    """The SQLSTATE and constraint name behind SQLAlchemy's wrapper of the driver's error."""
    driver_error = error.orig.__cause__ if error.orig is not None else None
    return (
        getattr(error.orig, "sqlstate", None),
        str(getattr(driver_error, "constraint_name", None) or ""),
    )


# --- the shelf ----------------------------------------------------------------


class SqlProductShelf:
    def __init__(self, sql: SessionSql) -> None:
        self._sql = sql

    async def for_cart(self, product_ids: Collection[UUID]) -> dict[UUID, ShelfItem]:
        if not product_ids:
            return {}
        rows = await self._sql.fetch(_ON_THE_SHELF, list(product_ids))
        return {row["id"]: _shelf_item(row) for row in rows}

    async def in_cart(self, user_id: UUID, *, also: UUID | None = None) -> CartContents:
        rows = await self._sql.fetch(_IN_THE_CART, user_id, also)
        lines = [row for row in rows if row["quantity"] is not None]
        return CartContents(
            entries=[CartEntry(product_id=row["id"], quantity=row["quantity"]) for row in lines],
            shelf={row["id"]: _shelf_item(row) for row in rows if row["id"] is not None},
            promo_id=rows[0]["promo_code_id"],
        )


_SHELF_COLUMNS = "p.id, p.name, p.slug, p.price, p.stock, p.category_id, p.archived"
# The ids as an InitPlan (here and in checkout's array statements): the planner then can't
# see the array, so it keeps the prepared statement's generic plan instead of planning it
# anew on every call (a custom plan for an array parameter looks cheaper, but isn't).
_ON_THE_SHELF = f"""
    SELECT {_SHELF_COLUMNS} FROM products p WHERE p.id = ANY((SELECT $1::uuid[])::uuid[])
"""  # noqa: S608 - constant columns
# At least one row first, with the applied code (if any); a row without a line has no
# product. A line's product can't be missing: deleting a product deletes its cart lines.
# Then the product $2 names, if any, as a row without a line.
_IN_THE_CART = f"""
    SELECT {_SHELF_COLUMNS}, line.quantity, cart.promo_code_id, 0 AS part, line.added_at
      FROM (SELECT $1::uuid AS user_id) customer
      LEFT JOIN carts cart ON cart.user_id = customer.user_id
      LEFT JOIN (cart_items line JOIN products p ON p.id = line.product_id)
             ON line.user_id = customer.user_id
    UNION ALL
    SELECT {_SHELF_COLUMNS}, NULL, NULL, 1, NULL FROM products p WHERE p.id = $2::uuid
     ORDER BY part, added_at, id
"""  # noqa: S608 - constant columns


def _shelf_item(row: Mapping[str, Any]) -> ShelfItem:
    return ShelfItem(
        product_id=row["id"],
        name=row["name"],
        slug=row["slug"],
        unit_price=row["price"],
        stock=row["stock"],
        category_id=row["category_id"],
        available=not row["archived"],
    )


# --- carts --------------------------------------------------------------------


# Adding to a line is one statement: a concurrent add of the same product waits on the
# row, then adds to the quantity it committed, so no increment is lost and `room` ($5)
# still holds. xmax is 0 on a row this statement inserted, set on one it updated.
_ADD_TO_LINE = """
    INSERT INTO cart_items (user_id, product_id, quantity, added_at) VALUES ($1, $2, $3, $4)
    ON CONFLICT (user_id, product_id) DO UPDATE
       SET quantity = cart_items.quantity + excluded.quantity
     WHERE cart_items.quantity + excluded.quantity <= $5
    RETURNING quantity, xmax = 0 AS created
"""
_SET_LINE = """
    UPDATE cart_items SET quantity = $3 WHERE user_id = $1 AND product_id = $2
    RETURNING product_id
"""
_REMOVE_LINE = "DELETE FROM cart_items WHERE user_id = $1 AND product_id = $2 RETURNING product_id"
# Deleting is what locks: a concurrent checkout of the same cart waits here, then finds
# nothing; a line added after this statement is not taken, and stays in the cart.
_TAKE_ALL = """
    WITH cart AS (
        DELETE FROM carts WHERE user_id = $1 RETURNING promo_code_id
    ), taken AS (
        DELETE FROM cart_items WHERE user_id = $1 RETURNING product_id, quantity, added_at
    )
    SELECT taken.product_id, taken.quantity, (SELECT promo_code_id FROM cart)
      FROM taken
     ORDER BY taken.added_at, taken.product_id
"""


class SqlCartRepository:
    def __init__(self, session: AsyncSession, sql: SessionSql) -> None:
        self._session = session
        self._sql = sql

    async def add(
        self, user_id: UUID, product_id: UUID, quantity: int, *, at: datetime, room: int
    ) -> AddedLine | None:
        if quantity > room:
            return None
        row = await self._sql.fetchrow(_ADD_TO_LINE, user_id, product_id, quantity, at, room)
        return None if row is None else AddedLine(quantity=row["quantity"], created=row["created"])

    async def set_quantity(self, user_id: UUID, product_id: UUID, quantity: int) -> bool:
        return await self._sql.fetchrow(_SET_LINE, user_id, product_id, quantity) is not None

    async def remove(self, user_id: UUID, product_id: UUID) -> bool:
        return await self._sql.fetchrow(_REMOVE_LINE, user_id, product_id) is not None

    async def empty(self, user_id: UUID) -> None:
        # The very statement checkout takes the cart with: the same rows locked in the same
        # order, so emptying a cart while it is checked out waits instead of deadlocking.
        await self._sql.execute(_TAKE_ALL, user_id)

    async def take_all(self, user_id: UUID) -> TakenCart:
        rows = await self._sql.fetch(_TAKE_ALL, user_id)
        return TakenCart(
            entries=[CartEntry(product_id=r["product_id"], quantity=r["quantity"]) for r in rows],
            promo_id=rows[0]["promo_code_id"] if rows else None,
        )

    async def set_promo(self, user_id: UUID, promo_id: UUID | None) -> None:
        statement = pg_insert(carts).values(user_id=user_id, promo_code_id=promo_id)
        await self._session.execute(
            statement.on_conflict_do_update(
                index_elements=[carts.c.user_id],
                set_={"promo_code_id": statement.excluded.promo_code_id},
            )
        )


# --- wishlists ----------------------------------------------------------------

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
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

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
        return [_wished(row) for row in (await self._session.execute(query)).mappings()]

    async def get(self, user_id: UUID, product_id: UUID) -> WishedProduct | None:
        query = _WISHED.where(
            wishlist_items.c.user_id == user_id, wishlist_items.c.product_id == product_id
        )
        row = (await self._session.execute(query)).mappings().first()
        return None if row is None else _wished(row)

    async def add(self, user_id: UUID, product_id: UUID, at: datetime) -> bool:
        statement = (
            pg_insert(wishlist_items)
            .values(user_id=user_id, product_id=product_id, added_at=at)
            .on_conflict_do_nothing()
            .returning(wishlist_items.c.product_id)
        )
        return (await self._session.execute(statement)).first() is not None

    async def remove(self, user_id: UUID, product_id: UUID) -> bool:
        statement = (
            delete(wishlist_items)
            .where(wishlist_items.c.user_id == user_id, wishlist_items.c.product_id == product_id)
            .returning(wishlist_items.c.product_id)
        )
        return (await self._session.execute(statement)).first() is not None


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


# --- promo codes --------------------------------------------------------------


class SqlPromoCodeRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add(self, promo: PromoCode) -> None:
        values = {
            **_terms(promo),
            "id": promo.id,
            "times_used": promo.times_used,
            "created_at": promo.created_at,
        }
        await self._write(insert(promo_codes).values(values), promo)

    async def get(self, promo_id: UUID) -> PromoCode | None:
        return await self._one(promo_codes.c.id == promo_id)

    async def by_code(self, code: str) -> PromoCode | None:
        return await self._one(func.upper(promo_codes.c.code) == code)

    async def update(self, promo: PromoCode) -> None:
        statement = update(promo_codes).where(promo_codes.c.id == promo.id).values(_terms(promo))
        await self._session.execute(
            delete(promo_code_categories).where(promo_code_categories.c.promo_id == promo.id)
        )
        await self._write(statement, promo)

    async def delete_if_unused(self, promo_id: UUID) -> bool:
        statement = (
            delete(promo_codes)
            .where(promo_codes.c.id == promo_id, promo_codes.c.times_used == 0)
            .returning(promo_codes.c.id)
        )
        return (await self._session.execute(statement)).first() is not None

    async def page(self, *, before: UUID | None, limit: int) -> list[PromoCode]:
        query = select(promo_codes).order_by(promo_codes.c.id.desc()).limit(limit)
        if before is not None:
            query = query.where(promo_codes.c.id < before)
        return await self._with_categories((await self._session.execute(query)).mappings())

    async def unknown_categories(self, category_ids: Collection[UUID]) -> set[UUID]:
        if not category_ids:
            return set()
        query = select(categories.c.id).where(categories.c.id.in_(category_ids))
        known = set((await self._session.execute(query)).scalars())
        return set(category_ids) - known

    async def uses_by_customer(self, promo_id: UUID, user_id: UUID) -> int:
        query = select(func.count()).where(
            _redemptions.c.promo_code_id == promo_id, _redemptions.c.user_id == user_id
        )
        return (await self._session.execute(query)).scalar_one()

    async def _one(self, condition: Any) -> PromoCode | None:
        rows = (await self._session.execute(select(promo_codes).where(condition))).mappings()
        found = await self._with_categories(rows)
        return found[0] if found else None

    async def _with_categories(self, rows: Iterable[RowMapping]) -> list[PromoCode]:
        """The promos of these rows, each with its categories (one query for them all)."""
        listed = list(rows)
        scopes: dict[UUID, set[UUID]] = {row["id"]: set() for row in listed}
        if scopes:
            query = select(promo_code_categories).where(
                promo_code_categories.c.promo_id.in_(scopes)
            )
            for scope in (await self._session.execute(query)).mappings():
                scopes[scope["promo_id"]].add(scope["category_id"])
        return [_promo(row, frozenset(scopes[row["id"]])) for row in listed]

    async def _write(self, statement: Any, promo: PromoCode) -> None:
        """Save the row and its categories; the database's constraints decide clashes."""
        try:
            await self._session.execute(statement)
            if promo.category_ids:
                await self._session.execute(
                    insert(promo_code_categories),
                    [{"promo_id": promo.id, "category_id": c} for c in promo.category_ids],
                )
        except IntegrityError as error:
            refusal = _refusal(error)
            if refusal is None:
                raise
            raise refusal from error


def _refusal(error: IntegrityError) -> DomainError | None:
    state, constraint = _violation(error)
    if state == _UNIQUE_VIOLATION and constraint == PROMO_CODE_INDEX:
        return AlreadyExists(
            "A promo code with this code already exists.",
            errors=[{"field": "code", "message": "is already taken"}],
        )
    if state == _FOREIGN_KEY_VIOLATION:  # a category deleted meanwhile
        return Invalid(
            "A category of this promo code does not exist.",
            errors=[{"field": "category_ids", "message": "no such category"}],
        )
    if state == _CHECK_VIOLATION and constraint == TIMES_USED_CHECK:  # used meanwhile
        return Invalid(
            "max_uses is below how often the code was already used.",
            errors=[{"field": "max_uses", "message": "is below times_used"}],
        )
    return None


def _terms(promo: PromoCode) -> dict[str, Any]:
    return {
        "code": promo.code,
        "discount_type": promo.discount_type.value,
        "value": promo.value,
        "is_active": promo.is_active,
        "starts_at": promo.starts_at,
        "expires_at": promo.expires_at,
        "min_order_amount": promo.min_order_amount,
        "max_discount": promo.max_discount,
        "max_uses": promo.max_uses,
        "max_uses_per_customer": promo.max_uses_per_customer,
    }


def _promo(row: RowMapping, category_ids: frozenset[UUID]) -> PromoCode:
    return PromoCode(
        id=row["id"],
        code=row["code"],
        discount_type=DiscountType(row["discount_type"]),
        value=row["value"],
        is_active=row["is_active"],
        starts_at=row["starts_at"],
        expires_at=row["expires_at"],
        min_order_amount=row["min_order_amount"],
        max_discount=row["max_discount"],
        max_uses=row["max_uses"],
        max_uses_per_customer=row["max_uses_per_customer"],
        category_ids=category_ids,
        times_used=row["times_used"],
        created_at=row["created_at"],
    )
