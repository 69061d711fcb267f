"""Promo codes as managers keep them: create, list, read, edit, retire.

The terms' rules, and how a manager's form makes or changes a code, are in
core/promotions.py; here the codes are kept, and their categories must exist.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from uuid import UUID

from grocery.core.errors import NotFound, Problems
from grocery.core.ids import new_id
from grocery.core.paging import keyset_page
from grocery.core.ports.clock import Clock
from grocery.core.ports.promotions import PromoWork
from grocery.core.ports.transaction import UnitOfWorkFactory
from grocery.core.promotions import PromoCode, PromoEdit, edited_promo, new_promo


@dataclass(frozen=True, slots=True)
class PromoPage:
    promos: list[PromoCode]
    last_id: UUID | None  # where the next page starts (keyset); None on the last page


class PromoCodeService:
    def __init__(self, *, uow: UnitOfWorkFactory[PromoWork], clock: Clock) -> None:
        self._uow = uow
        self._clock = clock

    async def create(self, edit: PromoEdit) -> PromoCode:
        promo = new_promo(edit, id=new_id(), created_at=self._clock.now())
        async with self._uow() as uow:
            await _check_categories(uow, promo)
            await uow.promo_codes.add(promo)
            await uow.commit()
        return promo

    async def get(self, promo_id: UUID) -> PromoCode:
        async with self._uow() as uow:
            return await _existing(uow, promo_id)

    async def page(self, *, before: UUID | None, limit: int) -> PromoPage:
        """Newest first."""
        async with self._uow() as uow:
            promos, last = await keyset_page(
                lambda rows: uow.promo_codes.page(before=before, limit=rows), limit
            )
        return PromoPage(promos=promos, last_id=None if last is None else last.id)

    async def update(self, promo_id: UUID, edit: PromoEdit) -> PromoCode:
        """The edited whole is validated, not just the change."""
        async with self._uow() as uow:
            promo = edited_promo(await _existing(uow, promo_id), edit)
            await _check_categories(uow, promo)
            await uow.promo_codes.update(promo)
            await uow.commit()
        return promo

    async def remove(self, promo_id: UUID) -> None:
        """An unused code is deleted. A used one is only switched off: the orders that
        redeemed it keep pointing at it, and reports still count it."""
        async with self._uow() as uow:
            promo = await _existing(uow, promo_id)
            if not await uow.promo_codes.delete_if_unused(promo_id):
                await uow.promo_codes.update(replace(promo, is_active=False))
            await uow.commit()


async def _existing(uow: PromoWork, promo_id: UUID) -> PromoCode:
    promo = await uow.promo_codes.get(promo_id)
    if promo is None:
        raise NotFound("There is no such promo code.")
    return promo


async def _check_categories(uow: PromoWork, promo: PromoCode) -> None:
    problems = Problems()
    for category_id in sorted(await uow.promo_codes.unknown_categories(promo.category_ids)):
        problems.add("category_ids", f"no such category: {category_id}")
    problems.raise_if_any("Some of the promo code's categories do not exist.")
