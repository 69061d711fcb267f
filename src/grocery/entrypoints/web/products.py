"""Products in the back office: find (search, category, pages), create, edit, archive, and
the stock ledger (receipts, adjustments, every movement). Its pictures: product_images."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from uuid import UUID

from litestar import Controller, Request, get, post
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template

from grocery.core.catalog import Removal, Unit
from grocery.core.catalog_edits import ProductEdit
from grocery.core.errors import DomainError
from grocery.core.identity import Principal
from grocery.core.ports.blobs import BlobStore
from grocery.core.services.catalog import CatalogService
from grocery.core.services.stock import StockService
from grocery.core.services.taxes import TaxClassService
from grocery.core.storefront import product_query
from grocery.core.weights import SoldBy
from grocery.entrypoints.http.deps import Injected
from grocery.entrypoints.http.pages import id_cursor, read_id_cursor
from grocery.entrypoints.http.problems import status_for
from grocery.entrypoints.web.categories import tax_choices
from grocery.entrypoints.web.door import staff_only
from grocery.entrypoints.web.forms import FormReader
from grocery.entrypoints.web.rendering import after_form, field_errors, page

PAGE_SIZE = 25
MOVEMENTS_SHOWN = 20
UNITS = [(unit.value, unit.value) for unit in Unit]
WAYS_SOLD = [(SoldBy.EACH.value, "by the piece"), (SoldBy.WEIGHT.value, "by weight")]


def _product_form(form: FormReader, *, new: bool) -> ProductEdit:
    return ProductEdit(
        name=form.text("name") if new else form.text_or_keep("name"),
        slug=form.text_or_keep("slug"),
        description=form.text("description"),
        category_id=form.id("category_id"),
        price=form.text("price"),
        stock=form.whole("stock") if new else form.whole_or_keep("stock"),
        unit=form.text_or_keep("unit"),
        low_stock_threshold=form.whole_or_keep("low_stock_threshold"),
        sold_by=form.text_or_keep("sold_by"),
        step_kg=form.text("step_kg") or None,
        tax_class_id=form.id_or_none("tax_class_id"),
    )


class ProductPages(Controller):
    path = "/products"
    guards = (staff_only,)

    @get("/")
    async def list_products(
        self,
        request: Request[Any, Any, Any],
        catalog: Injected[CatalogService],
        q: FromQuery[str | None] = None,
        category: FromQuery[str | None] = None,
        cursor: FromQuery[str | None] = None,
    ) -> Template:
        query = product_query(q=q, category=category, cursor=cursor, limit=PAGE_SIZE, sort="name")
        found = await catalog.browse(query)
        return page(
            request,
            "products/list.html",
            products=found.items,
            next_cursor=found.next_cursor,
            q=q or "",
            category=category or "",
            categories=await catalog.categories(),
        )

    @get("/new")
    async def new_product(
        self,
        request: Request[Any, Any, Any],
        catalog: Injected[CatalogService],
        taxes: Injected[TaxClassService],
    ) -> Template:
        return await self._form_page(request, catalog, taxes, values={}, errors={})

    @post("/")
    async def add_product(
        self,
        request: Request[Any, Any, Any],
        staff: Injected[Principal],
        catalog: Injected[CatalogService],
        taxes: Injected[TaxClassService],
    ) -> Template | Redirect:
        form = FormReader(await request.form())
        edit = _product_form(form, new=True)
        try:
            form.refuse_unreadable()
            added = await catalog.add_product(edit, by=staff.user_id)
        except DomainError as refused:
            return await self._form_page(
                request,
                catalog,
                taxes,
                values=form.values,
                errors=field_errors(refused),
                status=status_for(refused),
            )
        return after_form(request, f"/admin/products/{added.id}", f"Added {added.name}.")

    @get("/{product_id:uuid}")
    async def show_product(
        self,
        request: Request[Any, Any, Any],
        product_id: FromPath[UUID],
        catalog: Injected[CatalogService],
        stock: Injected[StockService],
        blobs: Injected[BlobStore],
        taxes: Injected[TaxClassService],
        cursor: FromQuery[str | None] = None,
    ) -> Template:
        return await product_page(
            request, product_id, Shelf(catalog, stock, blobs, taxes), cursor=cursor
        )

    @post("/{product_id:uuid}")
    async def edit_product(
        self,
        request: Request[Any, Any, Any],
        product_id: FromPath[UUID],
        staff: Injected[Principal],
        catalog: Injected[CatalogService],
        stock: Injected[StockService],
        blobs: Injected[BlobStore],
        taxes: Injected[TaxClassService],
    ) -> Template | Redirect:
        form = FormReader(await request.form())
        edit = _product_form(form, new=False)
        try:
            form.refuse_unreadable()
            edited = await catalog.edit_product(product_id, edit, by=staff.user_id)
        except DomainError as refused:
            return await product_page(
                request,
                product_id,
                Shelf(catalog, stock, blobs, taxes),
                values=form.values,
                errors=field_errors(refused),
                status=status_for(refused),
            )
        return after_form(request, f"/admin/products/{edited.id}", "Saved.")

    @post("/{product_id:uuid}/archive")
    async def archive_product(
        self,
        request: Request[Any, Any, Any],
        product_id: FromPath[UUID],
        catalog: Injected[CatalogService],
    ) -> Redirect:
        """Deleted, or archived when an order ever had it (the core decides)."""
        name = (await catalog.product(str(product_id))).name
        removal = await catalog.remove_product(product_id)
        done = "archived" if removal is Removal.ARCHIVED else "deleted"
        return after_form(request, "/admin/products", f"{name} {done}.")

    @post("/{product_id:uuid}/stock")
    async def record_stock(
        self,
        request: Request[Any, Any, Any],
        product_id: FromPath[UUID],
        staff: Injected[Principal],
        catalog: Injected[CatalogService],
        stock: Injected[StockService],
        blobs: Injected[BlobStore],
        taxes: Injected[TaxClassService],
    ) -> Template | Redirect:
        form = FormReader(await request.form())
        quantity = form.whole("quantity")
        try:
            form.refuse_unreadable()
            assert isinstance(quantity, int)  # else the form had an error
            movement = await stock.record(
                product_id,
                kind=form.text("kind"),
                quantity=quantity,
                note=form.text("note") or None,
                user_id=staff.user_id,
            )
        except DomainError as refused:
            return await product_page(
                request,
                product_id,
                Shelf(catalog, stock, blobs, taxes),
                stock_values=form.values,
                stock_errors=field_errors(refused),
                status=status_for(refused),
            )
        notice = f"Recorded a {movement.kind} of {movement.quantity:+d}; stock is {movement.stock_after}."
        return after_form(request, f"/admin/products/{product_id}", notice)

    async def _form_page(
        self,
        request: Request[Any, Any, Any],
        catalog: CatalogService,
        taxes: TaxClassService,
        *,
        values: dict[str, str],
        errors: dict[str, str],
        status: int = 200,
    ) -> Template:
        return page(
            request,
            "products/new.html",
            status=status,
            values=values,
            errors=errors,
            choices=await _choices(catalog, taxes),
        )


@dataclass(frozen=True)
class Shelf:
    """The services a product's page is drawn from."""

    catalog: CatalogService
    stock: StockService
    blobs: BlobStore
    taxes: TaxClassService


async def product_page(
    request: Request[Any, Any, Any],
    product_id: UUID,
    shelf: Shelf,
    *,
    cursor: str | None = None,
    values: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    stock_values: dict[str, str] | None = None,
    stock_errors: dict[str, str] | None = None,
    image_errors: dict[str, str] | None = None,
    status: int = 200,
) -> Template:
    """A product's page: its details to edit, its pictures, its stock movements; the form
    refused last shown again with its errors."""
    product = await shelf.catalog.product(str(product_id))
    movements = await shelf.stock.movements(
        product_id, before=read_id_cursor(cursor), limit=MOVEMENTS_SHOWN
    )
    shown = values or {
        "name": product.name,
        "slug": product.slug,
        "description": product.description,
        "category_id": str(product.category.id),
        "price": str(product.price),
        "unit": product.unit.value,
        "low_stock_threshold": str(product.low_stock_threshold),
        "sold_by": product.sold_by.value,
        "step_kg": "" if product.step_kg is None else str(product.step_kg),
        "tax_class_id": str(product.tax_class_id or ""),
    }
    return page(
        request,
        "products/detail.html",
        status=status,
        product=product,
        pictures=[(image.id, await shelf.blobs.url_for(image.key)) for image in product.images],
        values=shown,
        errors=errors or {},
        stock_values=stock_values or {"kind": "receipt"},
        stock_errors=stock_errors or {},
        image_errors=image_errors or {},
        movements=movements.movements,
        next_cursor=id_cursor(movements.last_id),
        choices=await _choices(shelf.catalog, shelf.taxes),
    )


async def _choices(
    catalog: CatalogService, taxes: TaxClassService
) -> dict[str, list[tuple[str, str]]]:
    categories = [(str(each.id), each.name) for each in await catalog.categories()]
    return {
        "categories": categories,
        "units": UNITS,
        "sold_by": WAYS_SOLD,
        "tax_classes": await tax_choices(taxes),
    }
