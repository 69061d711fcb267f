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
from grocery.core.identity import Principal
from grocery.core.ports.blobs import BlobStore
from grocery.core.services.catalog import CatalogService
from grocery.core.services.stock import StockService
from grocery.core.services.taxes import TaxClassService
from grocery.core.stock import StockMovement
from grocery.core.storefront import product_query
from grocery.core.weights import SoldBy
from grocery.entrypoints.http.deps import Injected
from grocery.entrypoints.http.pages import id_cursor, read_id_cursor
from grocery.entrypoints.web.categories import tax_choices
from grocery.entrypoints.web.door import staff_only
from grocery.entrypoints.web.forms import FormReader
from grocery.entrypoints.web.rendering import (
    Refused,
    after_form,
    done_or_refused,
    form_shown,
    page,
)

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
        return await _new_page(request, catalog, taxes, None)

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
        added = await done_or_refused(form, lambda: catalog.add_product(edit, by=staff.user_id))
        if isinstance(added, Refused):
            return await _new_page(request, catalog, taxes, added)
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
        edited = await done_or_refused(
            form, lambda: catalog.edit_product(product_id, edit, by=staff.user_id)
        )
        if isinstance(edited, Refused):
            shelf = Shelf(catalog, stock, blobs, taxes)
            return await product_page(request, product_id, shelf, details=edited)
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

        async def record() -> StockMovement:
            assert isinstance(quantity, int)  # else the form had an error
            return await stock.record(
                product_id,
                kind=form.text("kind"),
                quantity=quantity,
                note=form.text("note") or None,
                user_id=staff.user_id,
            )

        movement = await done_or_refused(form, record)
        if isinstance(movement, Refused):
            shelf = Shelf(catalog, stock, blobs, taxes)
            return await product_page(request, product_id, shelf, movement_form=movement)
        notice = f"Recorded a {movement.kind} of {movement.quantity:+d}; stock is {movement.stock_after}."
        return after_form(request, f"/admin/products/{product_id}", notice)


async def _new_page(
    request: Request[Any, Any, Any],
    catalog: CatalogService,
    taxes: TaxClassService,
    refused: Refused | None,
) -> Template:
    return page(
        request,
        "products/new.html",
        **form_shown({}, refused),
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
    details: Refused | None = None,
    movement_form: Refused | None = None,
    picture: Refused | None = None,
) -> Template:
    """A product's page: its details to edit, its pictures, its stock movements; the form
    refused last (of the details, a stock movement or a picture) shown again."""
    product = await shelf.catalog.product(str(product_id))
    movements = await shelf.stock.movements(
        product_id, before=read_id_cursor(cursor), limit=MOVEMENTS_SHOWN
    )
    shown = {
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
    context, moved = form_shown(shown, details), form_shown({"kind": "receipt"}, movement_form)
    refused = details or movement_form or picture
    context["status"] = 200 if refused is None else refused.status
    return page(
        request,
        "products/detail.html",
        **context,
        product=product,
        pictures=[(image.id, await shelf.blobs.url_for(image.key)) for image in product.images],
        stock_values=moved["values"],
        stock_errors=moved["errors"],
        image_errors={} if picture is None else picture.errors,
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
