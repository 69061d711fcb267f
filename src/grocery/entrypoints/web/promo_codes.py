"""Promo codes in the back office: the list with each code's use, add, edit, remove (a
used code is switched off and kept for its orders)."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from litestar import Controller, Request, get, post
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template

from grocery.core.promotions import DiscountType, PromoCode, PromoEdit
from grocery.core.services.catalog import CatalogService
from grocery.core.services.promotions import PromoCodeService
from grocery.entrypoints.http.deps import Injected
from grocery.entrypoints.http.pages import id_cursor, read_id_cursor
from grocery.entrypoints.web.door import staff_only
from grocery.entrypoints.web.formats import StoreFormats
from grocery.entrypoints.web.forms import FormReader
from grocery.entrypoints.web.rendering import Refused, after_form, done_or_refused, form_shown, page

PAGE_SIZE = 25
KINDS = [(DiscountType.PERCENT.value, "percent off"), (DiscountType.FIXED.value, "amount off")]


def _promo_form(form: FormReader, formats: StoreFormats) -> PromoEdit:
    return PromoEdit(
        code=form.text("code"),
        discount_type=form.choice("discount_type", DiscountType),
        value=form.text("value"),
        is_active=form.ticked("is_active"),
        starts_at=form.local_moment("starts_at", formats.zone),
        expires_at=form.local_moment("expires_at", formats.zone),
        min_order_amount=form.text_or_none("min_order_amount"),
        max_discount=form.text_or_none("max_discount"),
        max_uses=form.whole_or_none("max_uses"),
        max_uses_per_customer=form.whole_or_none("max_uses_per_customer"),
        category_ids=form.ids("category_ids"),
    )


def _shown(promo: PromoCode, formats: StoreFormats) -> dict[str, Any]:
    """A code's terms as its form shows them (times on the store's clock)."""

    def local(moment: Any) -> str:
        return "" if moment is None else moment.astimezone(formats.zone).strftime("%Y-%m-%dT%H:%M")

    def text(value: Any) -> str:
        return "" if value is None else str(value)

    return {
        "code": promo.code,
        "discount_type": promo.discount_type.value,
        "value": str(promo.value),
        "is_active": "on" if promo.is_active else "",
        "starts_at": local(promo.starts_at),
        "expires_at": local(promo.expires_at),
        "min_order_amount": text(promo.min_order_amount),
        "max_discount": text(promo.max_discount),
        "max_uses": text(promo.max_uses),
        "max_uses_per_customer": text(promo.max_uses_per_customer),
    }


class PromoCodePages(Controller):
    path = "/promo-codes"
    guards = (staff_only,)

    @get("/")
    async def list_codes(
        self,
        request: Request[Any, Any, Any],
        promo_codes: Injected[PromoCodeService],
        cursor: FromQuery[str | None] = None,
    ) -> Template:
        found = await promo_codes.page(before=read_id_cursor(cursor), limit=PAGE_SIZE)
        return page(
            request,
            "promo_codes/list.html",
            promos=found.promos,
            next_cursor=id_cursor(found.last_id),
        )

    @get("/new")
    async def new_code(
        self, request: Request[Any, Any, Any], catalog: Injected[CatalogService]
    ) -> Template:
        return await _form_page(request, catalog, None, {"is_active": "on"}, frozenset())

    @post("/")
    async def add_code(
        self,
        request: Request[Any, Any, Any],
        promo_codes: Injected[PromoCodeService],
        catalog: Injected[CatalogService],
        formats: Injected[StoreFormats],
    ) -> Template | Redirect:
        form = FormReader(await request.form())
        edit = _promo_form(form, formats)
        added = await done_or_refused(form, lambda: promo_codes.create(edit))
        if isinstance(added, Refused):
            return await _form_page(request, catalog, None, {}, _picked(edit), added)
        return after_form(request, "/admin/promo-codes", f"Added {added.code}.")

    @get("/{promo_id:uuid}")
    async def show_code(
        self,
        request: Request[Any, Any, Any],
        promo_id: FromPath[UUID],
        promo_codes: Injected[PromoCodeService],
        catalog: Injected[CatalogService],
        formats: Injected[StoreFormats],
    ) -> Template:
        promo = await promo_codes.get(promo_id)
        return await _form_page(request, catalog, promo, _shown(promo, formats), promo.category_ids)

    @post("/{promo_id:uuid}")
    async def edit_code(
        self,
        request: Request[Any, Any, Any],
        promo_id: FromPath[UUID],
        promo_codes: Injected[PromoCodeService],
        catalog: Injected[CatalogService],
        formats: Injected[StoreFormats],
    ) -> Template | Redirect:
        form = FormReader(await request.form())
        edit = _promo_form(form, formats)
        edited = await done_or_refused(form, lambda: promo_codes.update(promo_id, edit))
        if isinstance(edited, Refused):
            promo = await promo_codes.get(promo_id)
            return await _form_page(request, catalog, promo, {}, _picked(edit), edited)
        return after_form(request, "/admin/promo-codes", f"Saved {edited.code}.")

    @post("/{promo_id:uuid}/remove")
    async def remove_code(
        self,
        request: Request[Any, Any, Any],
        promo_id: FromPath[UUID],
        promo_codes: Injected[PromoCodeService],
    ) -> Redirect:
        promo = await promo_codes.get(promo_id)
        await promo_codes.remove(promo_id)
        done = "switched off (orders used it)" if promo.times_used else "deleted"
        return after_form(request, "/admin/promo-codes", f"{promo.code} {done}.")


def _picked(edit: PromoEdit) -> frozenset[UUID]:
    return edit.category_ids if isinstance(edit.category_ids, frozenset) else frozenset()


async def _form_page(
    request: Request[Any, Any, Any],
    catalog: CatalogService,
    promo: PromoCode | None,
    values: dict[str, Any],
    picked: frozenset[UUID],
    refused: Refused | None = None,
) -> Template:
    """The code's form: `values` when fresh, what was typed when `refused`."""
    categories = await catalog.categories()
    return page(
        request,
        "promo_codes/form.html",
        **form_shown(values, refused),
        promo=promo,
        kinds=KINDS,
        categories=[(str(each.id), each.name, each.id in picked) for each in categories],
    )
