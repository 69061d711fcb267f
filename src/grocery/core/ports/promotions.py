"""Promo codes and their redemptions."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime
from typing import Protocol
from uuid import UUID

from grocery.core.ports.transaction import Transaction
from grocery.core.promotions import PromoCode


class PromoCodeRepository(Protocol):
    async def add(self, promo: PromoCode) -> None:
        """AlreadyExists when the code is taken ignoring case (checked by the store itself)."""
        ...

    async def get(self, promo_id: UUID) -> PromoCode | None: ...

    async def by_code(self, code: str) -> PromoCode | None:
        """`code` already normalised."""
        ...

    async def update(self, promo: PromoCode) -> None:
        """Saves the terms, never times_used (checkout counts); AlreadyExists as for add."""
        ...

    async def delete_if_unused(self, promo_id: UUID) -> bool:
        """Delete a code nobody has used; False (and nothing changes) once it was used."""
        ...

    async def page(self, *, before: UUID | None, limit: int) -> list[PromoCode]:
        """Newest first, older than the given id (keyset), at most `limit`."""
        ...

    async def unknown_categories(self, category_ids: Collection[UUID]) -> set[UUID]: ...

    async def uses_by_customer(self, promo_id: UUID, user_id: UUID) -> int:
        """How often this customer has redeemed the code (their orders count them)."""
        ...


class PromoRedemptionRepository(Protocol):
    async def claim(self, promo_id: UUID) -> bool:
        """Count one more use while the code is under its max_uses, atomically; False (and
        nothing changes) when it is used up or gone. The code's row stays locked until the
        transaction ends, so its per-customer count can be trusted after a claim."""
        ...

    async def record(self, promo_id: UUID, user_id: UUID, order_id: UUID, at: datetime) -> None:
        """The redemption that promo_codes.uses_by_customer counts."""
        ...

    async def release(self, order_id: UUID) -> bool:
        """Undo the order's redemption and its use; False when the order redeemed nothing."""
        ...


class PromoWork(Transaction, Protocol):
    """What the manager's promo code use cases work with."""

    promo_codes: PromoCodeRepository
