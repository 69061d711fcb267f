"""Promotions in PostgreSQL: promo codes and their redemptions.

A code's use counter moves by an UPDATE relative to itself, conditional on its limit, never
by reading, changing and writing back.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from datetime import datetime
from typing import Any
from uuid import UUID

from sqlalchemy import RowMapping, delete, func, insert, or_, select, update

from grocery.adapters.sql.database import SessionSql
from grocery.adapters.sql.schema.catalog import categories
from grocery.adapters.sql.schema.promotions import (
    promo_code_categories,
    promo_codes,
    promo_redemptions,
)
from grocery.core.promotions import DiscountType, PromoCode

# --- promo codes --------------------------------------------------------------


class SqlPromoCodeRepository:
    def __init__(self, sql: SessionSql) -> None:
        self._sql = sql

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
        await self._sql.execute(
            delete(promo_code_categories).where(promo_code_categories.c.promo_id == promo.id)
        )
        await self._write(statement, promo)

    async def delete_if_unused(self, promo_id: UUID) -> bool:
        statement = (
            delete(promo_codes)
            .where(promo_codes.c.id == promo_id, promo_codes.c.times_used == 0)
            .returning(promo_codes.c.id)
        )
        return (await self._sql.execute(statement)).first() is not None

    async def page(self, *, before: UUID | None, limit: int) -> list[PromoCode]:
        query = select(promo_codes).order_by(promo_codes.c.id.desc()).limit(limit)
        if before is not None:
            query = query.where(promo_codes.c.id < before)
        return await self._with_categories((await self._sql.execute(query)).mappings())

    async def unknown_categories(self, category_ids: Collection[UUID]) -> set[UUID]:
        if not category_ids:
            return set()
        query = select(categories.c.id).where(categories.c.id.in_(category_ids))
        known = set((await self._sql.execute(query)).scalars())
        return set(category_ids) - known

    async def uses_by_customer(self, promo_id: UUID, user_id: UUID) -> int:
        query = select(func.count()).where(
            promo_redemptions.c.promo_code_id == promo_id, promo_redemptions.c.user_id == user_id
        )
        return int((await self._sql.execute(query)).scalar_one())

    async def _one(self, condition: Any) -> PromoCode | None:
        rows = (await self._sql.execute(select(promo_codes).where(condition))).mappings()
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
            for scope in (await self._sql.execute(query)).mappings():
                scopes[scope["promo_id"]].add(scope["category_id"])
        return [_promo(row, frozenset(scopes[row["id"]])) for row in listed]

    async def _write(self, statement: Any, promo: PromoCode) -> None:
        """Save the row and its categories; the database's constraints decide clashes (a
        code taken, a category deleted or the code used meanwhile: adapters/sql/errors.py)."""
        await self._sql.execute(statement)
        if promo.category_ids:
            await self._sql.execute(
                insert(promo_code_categories),
                [{"promo_id": promo.id, "category_id": c} for c in promo.category_ids],
            )


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


# --- promo redemptions --------------------------------------------------------


class SqlPromoRedemptionRepository:
    def __init__(self, sql: SessionSql) -> None:
        self._sql = sql

    async def claim(self, promo_id: UUID) -> bool:
        statement = (
            update(promo_codes)
            .where(
                promo_codes.c.id == promo_id,
                or_(
                    promo_codes.c.max_uses.is_(None),
                    promo_codes.c.times_used < promo_codes.c.max_uses,
                ),
            )
            .values(times_used=promo_codes.c.times_used + 1)
            .returning(promo_codes.c.id)
        )
        return (await self._sql.execute(statement)).first() is not None

    async def record(self, promo_id: UUID, user_id: UUID, order_id: UUID, at: datetime) -> None:
        await self._sql.execute(
            insert(promo_redemptions).values(
                promo_code_id=promo_id, user_id=user_id, order_id=order_id, created_at=at
            )
        )

    async def release(self, order_id: UUID) -> bool:
        statement = (
            delete(promo_redemptions)
            .where(promo_redemptions.c.order_id == order_id)
            .returning(promo_redemptions.c.promo_code_id)
        )
        promo_id = (await self._sql.execute(statement)).scalar()
        if promo_id is None:
            return False
        await self._sql.execute(
            update(promo_codes)
            .where(promo_codes.c.id == promo_id)
            .values(times_used=promo_codes.c.times_used - 1)
        )
        return True
