"""Promo codes as managers keep them: create, list, read, edit, retire.

The terms' rules are in core/promotions.py; here money typed by a manager is read
strictly, every problem is reported at once, and categories must exist.
"""

from __future__ import annotations

from dataclasses import dataclass, fields, replace
from datetime import datetime
from enum import Enum
from typing import Final
from uuid import UUID

from grocery.core.errors import ErrorDetail, Invalid, NotFound
from grocery.core.ids import new_id
from grocery.core.money import ZERO, parse_money
from grocery.core.paging import keyset_page
from grocery.core.ports.clock import Clock
from grocery.core.ports.promotions import PromoWork
from grocery.core.ports.transaction import UnitOfWorkFactory
from grocery.core.promotions import MAX_AMOUNT, DiscountType, PromoCode, validate_promo_terms

_MONEY_FIELDS = frozenset({"value", "min_order_amount", "max_discount"})
_REQUIRED = ("code", "discount_type", "value")


class Keep(Enum):
    """A field an edit leaves as it is (None would clear it)."""

    KEEP = "keep"


KEEP: Final = Keep.KEEP


@dataclass(frozen=True, kw_only=True, slots=True)
class PromoEdit:
    """A manager's form: a new code's terms, or the changes to one. Money comes as typed."""

    code: str | Keep = KEEP
    discount_type: DiscountType | Keep = KEEP
    value: str | Keep = KEEP
    is_active: bool | Keep = KEEP
    starts_at: datetime | Keep | None = KEEP
    expires_at: datetime | Keep | None = KEEP
    min_order_amount: str | Keep | None = KEEP
    max_discount: str | Keep | None = KEEP
    max_uses: int | Keep | None = KEEP
    max_uses_per_customer: int | Keep | None = KEEP
    category_ids: frozenset[UUID] | Keep = KEEP


@dataclass(frozen=True, slots=True)
class PromoPage:
    promos: list[PromoCode]
    last_id: UUID | None  # where the next page starts (keyset); None on the last page


class PromoCodeService:
    def __init__(self, *, uow: UnitOfWorkFactory[PromoWork], clock: Clock) -> None:
        self._uow = uow
        self._clock = clock

    async def create(self, edit: PromoEdit) -> PromoCode:
        missing = [name for name in _REQUIRED if getattr(edit, name) is KEEP]
        if missing:
            raise Invalid(
                "The promo code's terms are not valid.",
                errors=[{"field": name, "message": "is required"} for name in missing],
            )
        blank = PromoCode(
            id=new_id(),
            code="",
            discount_type=DiscountType.FIXED,
            value=ZERO,
            created_at=self._clock.now(),
        )
        promo = _edited(blank, edit)
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
            promo = _edited(await _existing(uow, promo_id), edit)
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


def _edited(promo: PromoCode, edit: PromoEdit) -> PromoCode:
    """The promo with the edit applied, or Invalid listing every problem."""
    errors: list[ErrorDetail] = []
    changes: dict[str, object] = {}
    for name in (field.name for field in fields(edit)):
        value = getattr(edit, name)
        if value is KEEP:
            continue
        if name in _MONEY_FIELDS and value is not None:
            try:
                value = parse_money(value, field=name, at_most=MAX_AMOUNT)
            except Invalid as error:
                errors.extend(error.errors)
                continue
        changes[name] = value
    candidate: PromoCode = replace(promo, **changes)  # type: ignore[arg-type]
    try:
        candidate = validate_promo_terms(candidate)
    except Invalid as error:
        unreadable = {problem["field"] for problem in errors}  # already said why
        errors.extend(e for e in error.errors if e["field"] not in unreadable)
    if errors:
        raise Invalid("The promo code's terms are not valid.", errors=errors)
    return candidate


async def _existing(uow: PromoWork, promo_id: UUID) -> PromoCode:
    promo = await uow.promo_codes.get(promo_id)
    if promo is None:
        raise NotFound("There is no such promo code.")
    return promo


async def _check_categories(uow: PromoWork, promo: PromoCode) -> None:
    unknown = await uow.promo_codes.unknown_categories(promo.category_ids)
    if unknown:
        raise Invalid(
            "Some of the promo code's categories do not exist.",
            errors=[
                {"field": "category_ids", "message": f"no such category: {category_id}"}
                for category_id in sorted(unknown)
            ],
        )
