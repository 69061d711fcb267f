"""Promo codes over HTTP, for managers (and admins)."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Annotated, TypeVar
from uuid import UUID

import msgspec
from litestar import Controller, delete, get, patch, post
from litestar.params import FromPath, FromQuery, JSONBody
from msgspec import UNSET, UnsetType

from grocery.core.edits import KEEP
from grocery.core.money import format_money
from grocery.core.promotions import MAX_COUNT, DiscountType, PromoCode, PromoEdit
from grocery.core.services.promotions import PromoCodeService
from grocery.entrypoints.http.deps import Injected
from grocery.entrypoints.http.fields import Money, PromoCodeText, documented, kept_unless_sent
from grocery.entrypoints.http.guards import manager
from grocery.entrypoints.http.pages import DEFAULT_LIMIT, Limit, id_cursor, read_id_cursor

T = TypeVar("T")


UseCount = Annotated[int, documented(minimum=1, maximum=MAX_COUNT)]


class PromoCodeChange(msgspec.Struct, kw_only=True):
    """Only the fields sent change; null clears an optional one. Money comes as a decimal
    string ("5.00"), judged as typed."""

    code: PromoCodeText | UnsetType = UNSET
    discount_type: DiscountType | UnsetType = UNSET
    value: Money | UnsetType = UNSET
    is_active: bool | UnsetType = UNSET
    starts_at: datetime | UnsetType | None = UNSET
    expires_at: datetime | UnsetType | None = UNSET
    min_order_amount: Money | UnsetType | None = UNSET
    max_discount: Money | UnsetType | None = UNSET
    max_uses: UseCount | UnsetType | None = UNSET
    max_uses_per_customer: UseCount | UnsetType | None = UNSET
    category_ids: list[UUID] | UnsetType = UNSET  # empty: the whole cart


class PromoCodeBody(PromoCodeChange, kw_only=True):
    """A new code: these three are required, the rest default (active, no limits)."""

    code: PromoCodeText
    discount_type: DiscountType
    value: Money


class PromoCodeOut(msgspec.Struct):
    id: UUID
    code: str
    discount_type: DiscountType
    value: str
    is_active: bool
    starts_at: datetime | None
    expires_at: datetime | None
    min_order_amount: str | None
    max_discount: str | None
    max_uses: int | None
    max_uses_per_customer: int | None
    category_ids: list[UUID]
    times_used: int
    created_at: datetime

    @classmethod
    def of(cls, promo: PromoCode) -> PromoCodeOut:
        return cls(
            id=promo.id,
            code=promo.code,
            discount_type=promo.discount_type,
            value=format_money(promo.value),
            is_active=promo.is_active,
            starts_at=_utc(promo.starts_at),
            expires_at=_utc(promo.expires_at),
            min_order_amount=_money_or_none(promo.min_order_amount),
            max_discount=_money_or_none(promo.max_discount),
            max_uses=promo.max_uses,
            max_uses_per_customer=promo.max_uses_per_customer,
            category_ids=sorted(promo.category_ids),
            times_used=promo.times_used,
            created_at=promo.created_at,
        )


class PromoCodeListOut(msgspec.Struct):
    items: list[PromoCodeOut]
    next_cursor: str | None


class PromoCodeController(Controller):
    path = "/promo-codes"
    tags = ("promo codes",)
    guards = (manager,)

    @get("/")
    async def list_codes(
        self,
        promo_codes: Injected[PromoCodeService],
        limit: Limit = DEFAULT_LIMIT,
        cursor: FromQuery[str | None] = None,
    ) -> PromoCodeListOut:
        """Newest first."""
        page = await promo_codes.page(before=read_id_cursor(cursor), limit=limit)
        return PromoCodeListOut(
            items=[PromoCodeOut.of(promo) for promo in page.promos],
            next_cursor=id_cursor(page.last_id),
        )

    @post("/", status_code=201)
    async def create(
        self,
        data: JSONBody[PromoCodeBody],
        promo_codes: Injected[PromoCodeService],
    ) -> PromoCodeOut:
        return PromoCodeOut.of(await promo_codes.create(_edit(data)))

    @get("/{promo_id:uuid}")
    async def show(
        self,
        promo_id: FromPath[UUID],
        promo_codes: Injected[PromoCodeService],
    ) -> PromoCodeOut:
        return PromoCodeOut.of(await promo_codes.get(promo_id))

    @patch("/{promo_id:uuid}")
    async def change(
        self,
        promo_id: FromPath[UUID],
        data: JSONBody[PromoCodeChange],
        promo_codes: Injected[PromoCodeService],
    ) -> PromoCodeOut:
        return PromoCodeOut.of(await promo_codes.update(promo_id, _edit(data)))

    @delete("/{promo_id:uuid}", status_code=204)
    async def remove(
        self,
        promo_id: FromPath[UUID],
        promo_codes: Injected[PromoCodeService],
    ) -> None:
        """Deletes a code nobody used; a used one is deactivated and kept for its orders."""
        await promo_codes.remove(promo_id)


def _edit(body: PromoCodeChange) -> PromoEdit:
    return PromoEdit(
        code=kept_unless_sent(body.code),
        discount_type=kept_unless_sent(body.discount_type),
        value=kept_unless_sent(body.value),
        is_active=kept_unless_sent(body.is_active),
        starts_at=kept_unless_sent(body.starts_at),
        expires_at=kept_unless_sent(body.expires_at),
        min_order_amount=kept_unless_sent(body.min_order_amount),
        max_discount=kept_unless_sent(body.max_discount),
        max_uses=kept_unless_sent(body.max_uses),
        max_uses_per_customer=kept_unless_sent(body.max_uses_per_customer),
        category_ids=KEEP if body.category_ids is UNSET else frozenset(body.category_ids),
    )


def _utc(moment: datetime | None) -> datetime | None:
    """Answers speak UTC, whatever zone the manager typed."""
    return None if moment is None else moment.astimezone(UTC)


def _money_or_none(amount: Decimal | None) -> str | None:
    return None if amount is None else format_money(amount)
