"""The picking screen, made for a phone on the shop floor: one order line per row with big
touch targets, how many were picked, a weighed line's weight, a substitute found by name for
what was missing, then complete and see the final bill. PickingService decides, as for the
API's picking routes."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from litestar import Controller, Request, get, post
from litestar.params import FromPath
from litestar.response import Redirect, Template

from grocery.core.catalog import ProductView
from grocery.core.edits import Keep
from grocery.core.errors import DomainError, NotFound
from grocery.core.identity import Principal
from grocery.core.orders import Order, OrderStatus, next_step
from grocery.core.picking import PickRequest, SubstituteRequest, is_being_picked
from grocery.core.services.catalog import CatalogService
from grocery.core.services.orders import OrderService
from grocery.core.services.picking import PickingService
from grocery.core.storefront import product_query
from grocery.entrypoints.http.deps import Injected
from grocery.entrypoints.http.problems import status_for
from grocery.entrypoints.web.door import staff_only
from grocery.entrypoints.web.forms import FormReader
from grocery.entrypoints.web.orders import line_rows, order_taxes
from grocery.entrypoints.web.rendering import Refused, after_form, done_or_refused, form_shown, page

SUBSTITUTES_SHOWN = 10
# The core's names for a pick's fields, as the form names them.
PICK_FIELDS = {
    "substitute.product_id": "substitute_id",
    "substitute.quantity": "substitute_quantity",
    "substitute.weight_kg": "substitute_weight_kg",
}


def _pick_form(form: FormReader) -> PickRequest:
    picked = form.whole("picked_quantity")
    substitute = form.id("substitute_id")
    quantity = form.whole_or_none("substitute_quantity")
    form.refuse_unreadable()
    assert isinstance(picked, int)  # else the form had an error
    return PickRequest(
        picked_quantity=picked,
        picked_weight_kg=form.text_or_none("picked_weight_kg"),
        substitute=None
        if isinstance(substitute, Keep)
        else SubstituteRequest(
            product_id=substitute,
            quantity=1 if quantity is None else quantity,
            weight_kg=form.text_or_none("substitute_weight_kg"),
        ),
    )


class PickingPages(Controller):
    path = "/orders/{order_id:uuid}"
    guards = (staff_only,)

    @get("/picking")
    async def picking_screen(
        self,
        request: Request[Any, Any, Any],
        order_id: FromPath[UUID],
        staff: Injected[Principal],
        orders: Injected[OrderService],
        catalog: Injected[CatalogService],
    ) -> Template:
        """`?line=&q=`: the products matching `q`, offered as that line's substitute."""
        query = FormReader(request.query_params)
        line_id = query.id("line")
        found: list[ProductView] = []
        if isinstance(line_id, UUID) and query.text("q"):
            search = product_query(q=query.text("q"), in_stock=True, limit=SUBSTITUTES_SHOWN)
            found = (await catalog.browse(search)).items
        order = await orders.get(staff, order_id)
        searched = line_id if isinstance(line_id, UUID) else None
        return await _screen(
            request, catalog, order, searched=searched, q=query.text("q"), found=found
        )

    @post("/picking")
    async def start_picking(
        self,
        request: Request[Any, Any, Any],
        order_id: FromPath[UUID],
        staff: Injected[Principal],
        orders: Injected[OrderService],
        catalog: Injected[CatalogService],
    ) -> Template | Redirect:
        """placed -> processing, as POST /api/orders/{id}/picking."""
        try:
            await orders.step(order_id, OrderStatus.PROCESSING)
        except DomainError as refused:
            order = await orders.get(staff, order_id)
            return await _screen(
                request, catalog, order, start_error=refused.detail, status=status_for(refused)
            )
        return after_form(request, f"/admin/orders/{order_id}/picking", "Picking started.")

    @post("/picks/{line_id:uuid}")
    async def record_pick(
        self,
        request: Request[Any, Any, Any],
        order_id: FromPath[UUID],
        line_id: FromPath[UUID],
        staff: Injected[Principal],
        orders: Injected[OrderService],
        picking: Injected[PickingService],
        catalog: Injected[CatalogService],
    ) -> Template | Redirect:
        """As PUT /api/orders/{id}/picks/{line_id}; may be sent again until completion."""
        form = FormReader(await request.form())
        order = await done_or_refused(
            form,
            lambda: picking.pick(order_id, line_id, _pick_form(form), staff.user_id),
            known=PICK_FIELDS,
        )
        if isinstance(order, Refused):
            return await _screen(
                request,
                catalog,
                await orders.get(staff, order_id),
                failed=line_id,
                searched=line_id,
                found=await _chosen(catalog, form),
                pick=order,
            )
        name = next(line.product_name for line in order.lines if line.id == line_id)
        back = f"/admin/orders/{order_id}/picking#line-{line_id}"
        return after_form(request, back, f"Picked {name}.")

    @post("/picking/complete")
    async def complete_picking(
        self,
        request: Request[Any, Any, Any],
        order_id: FromPath[UUID],
        staff: Injected[Principal],
        orders: Injected[OrderService],
        picking: Injected[PickingService],
        catalog: Injected[CatalogService],
    ) -> Template | Redirect:
        """The final bill, as POST /api/orders/{id}/picking/complete (a card is captured)."""
        try:
            await picking.complete(order_id, staff.user_id)
        except DomainError as refused:
            order = await orders.get(staff, order_id)
            problems = [str(item.get("message", "")) for item in refused.errors]
            return await _screen(
                request,
                catalog,
                order,
                complete_error=refused.detail,
                complete_problems=problems,
                status=status_for(refused),
            )
        back = f"/admin/orders/{order_id}/picking"
        return after_form(request, back, "Picking complete: here is the final bill.")


async def _chosen(catalog: CatalogService, form: FormReader) -> list[ProductView]:
    """The substitute a refused pick named, offered again rather than searched for again."""
    chosen = form.id("substitute_id")
    if isinstance(chosen, Keep):
        return []
    try:
        return [await catalog.product(str(chosen))]
    except NotFound:
        return []


async def _preferred(catalog: CatalogService, order: Order) -> dict[UUID, ProductView]:
    """The substitute each line's customer asked for, as the shelf has it now (one no longer
    sold is left out), all read at once."""
    wanted = {
        line.id: line.choice.preferred_substitute_id
        for line in order.lines
        if line.choice.allowed and line.choice.preferred_substitute_id is not None
    }
    found = await catalog.products_by_id(set(wanted.values()))
    return {line: found[product] for line, product in wanted.items() if product in found}


async def _screen(
    request: Request[Any, Any, Any],
    catalog: CatalogService,
    order: Order,
    *,
    searched: UUID | None = None,
    q: str = "",
    found: list[ProductView] | None = None,
    failed: UUID | None = None,
    pick: Refused | None = None,
    start_error: str | None = None,
    complete_error: str | None = None,
    complete_problems: list[str] | None = None,
    status: int = 200,
) -> Template:
    """`pick`: the `failed` line's refused form, shown again on that line; `status`: a
    refused start's or completion's."""
    shown = form_shown({}, pick)
    if pick is None:
        shown["status"] = status
    return page(
        request,
        "orders/picking.html",
        **shown,
        order=order,
        rows=line_rows(order),
        taxes=order_taxes(order),
        preferred=await _preferred(catalog, order),
        startable=next_step(order.status) is OrderStatus.PROCESSING,
        picking=is_being_picked(order),
        searched=searched,
        q=q,
        found=found or [],
        failed=failed,
        start_error=start_error,
        complete_error=complete_error,
        complete_problems=complete_problems or [],
    )
