"""Promo codes and their redemptions in memory."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field, replace
from datetime import datetime
from uuid import UUID

from grocery.adapters.memory.carts import CartTables
from grocery.adapters.memory.catalog import CatalogTables
from grocery.core.errors import AlreadyExists, Invalid
from grocery.core.promotions import PromoCode


@dataclass
class PromotionTables:
    promo_codes: dict[UUID, PromoCode] = field(default_factory=dict)
    # (promo, user) -> how often they redeemed it; checkout's orders fill it.
    redemptions: dict[tuple[UUID, UUID], int] = field(default_factory=dict)
    redeemed: dict[UUID, tuple[UUID, UUID]] = field(default_factory=dict)  # order -> promo, user


# --- promo codes --------------------------------------------------------------


class MemoryPromoCodeRepository:
    def __init__(self, tables: PromotionTables, catalog: CatalogTables, carts: CartTables) -> None:
        self._tables = tables
        self._categories = catalog.categories
        self._applied = carts.applied_promos

    async def add(self, promo: PromoCode) -> None:
        self._refuse(promo)
        self._tables.promo_codes[promo.id] = promo

    async def get(self, promo_id: UUID) -> PromoCode | None:
        return self._tables.promo_codes.get(promo_id)

    async def by_code(self, code: str) -> PromoCode | None:
        return next((p for p in self._tables.promo_codes.values() if p.code.upper() == code), None)

    async def update(self, promo: PromoCode) -> None:
        stored = self._tables.promo_codes[promo.id]
        self._refuse(promo)
        if promo.max_uses is not None and promo.max_uses < stored.times_used:  # used meanwhile
            raise Invalid(
                "max_uses is below how often the code was already used.",
                errors=[{"field": "max_uses", "message": "is below times_used"}],
            )
        self._tables.promo_codes[promo.id] = replace(
            promo, times_used=stored.times_used, created_at=stored.created_at
        )

    async def delete_if_unused(self, promo_id: UUID) -> bool:
        promo = self._tables.promo_codes.get(promo_id)
        if promo is None or promo.times_used:
            return False
        del self._tables.promo_codes[promo_id]
        for user_id in [user for user, promo in self._applied.items() if promo == promo_id]:
            del self._applied[user_id]
        return True

    async def page(self, *, before: UUID | None, limit: int) -> list[PromoCode]:
        newest_first = sorted(self._tables.promo_codes, reverse=True)
        chosen = [i for i in newest_first if before is None or i < before][:limit]
        return [self._tables.promo_codes[promo_id] for promo_id in chosen]

    async def unknown_categories(self, category_ids: Collection[UUID]) -> set[UUID]:
        return set(category_ids) - self._categories.keys()

    async def uses_by_customer(self, promo_id: UUID, user_id: UUID) -> int:
        return self._tables.redemptions.get((promo_id, user_id), 0)

    def _refuse(self, promo: PromoCode) -> None:
        """What PostgreSQL's constraints refuse: a code taken ignoring case, an unknown category."""
        if any(
            p.code.upper() == promo.code.upper() and p.id != promo.id
            for p in self._tables.promo_codes.values()
        ):
            raise AlreadyExists(
                "A promo code with this code already exists.",
                errors=[{"field": "code", "message": "is already taken"}],
            )
        if promo.category_ids - self._categories.keys():  # a category deleted meanwhile
            raise Invalid(
                "A category of this promo code does not exist.",
                errors=[{"field": "category_ids", "message": "no such category"}],
            )


# --- redemptions --------------------------------------------------------------


class MemoryPromoRedemptionRepository:
    def __init__(self, tables: PromotionTables) -> None:
        self._redeemed = tables.redeemed
        self._promos = tables.promo_codes
        self._uses = tables.redemptions

    async def claim(self, promo_id: UUID) -> bool:
        promo = self._promos.get(promo_id)
        if promo is None or (promo.max_uses is not None and promo.times_used >= promo.max_uses):
            return False
        self._promos[promo_id] = replace(promo, times_used=promo.times_used + 1)
        return True

    async def record(self, promo_id: UUID, user_id: UUID, order_id: UUID, at: datetime) -> None:
        self._redeemed[order_id] = (promo_id, user_id)
        self._uses[promo_id, user_id] = self._uses.get((promo_id, user_id), 0) + 1

    async def release(self, order_id: UUID) -> bool:
        if order_id not in self._redeemed:
            return False
        promo_id, user_id = self._redeemed.pop(order_id)
        self._uses[promo_id, user_id] -= 1
        promo = self._promos[promo_id]
        self._promos[promo_id] = replace(promo, times_used=promo.times_used - 1)
        return True
