"""Orders in the back office: the list by slot day and status (the API's cursors), and an
order's page with its lines, slot, payment, taxes and final bill, where a manager moves it
a step along, cancels it or refunds part or all of it. The same services as the API decide."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any
from uuid import UUID

from litestar import Controller, Request, get, post
from litestar.params import FromPath
from litestar.response import Redirect, Template

from grocery.core.errors import DomainError
from grocery.core.final_bill import BilledLine
from grocery.core.identity import Principal
from grocery.core.orders import Order, OrderLine, OrderStatus, next_step, staff_may_cancel
from grocery.core.services.orders import OrderService
from grocery.core.services.payments import RefundService
from grocery.core.taxes import rate_text
from grocery.entrypoints.http.catalog import kg_text
from grocery.entrypoints.http.deps import Injected
from grocery.entrypoints.http.pages import mark_cursor, read_mark_cursor
from grocery.entrypoints.http.problems import status_for
from grocery.entrypoints.web.door import staff_only
from grocery.entrypoints.web.formats import StoreFormats
from grocery.entrypoints.web.forms import FormReader
from grocery.entrypoints.web.rendering import after_form, field_errors, page

PAGE_SIZE = 25
STATUSES = [(status.value, status.value) for status in OrderStatus]


@dataclass(frozen=True, slots=True)
class LineRow:
    """An order line as its page shows it: weights written out, its final bill once picked."""

    line: OrderLine
    billed: BilledLine | None

    @property
    def estimated_kg(self) -> str | None:
        weighing = self.line.weighing
        return None if weighing is None else kg_text(weighing.weight_of(self.line.quantity))

    @property
    def picked_kg(self) -> str | None:
        pick = self.line.pick
        return None if pick is None else kg_text(pick.picked_weight_kg)

    @property
    def substitute_kg(self) -> str | None:
        pick = self.line.pick
        return (
            None if pick is None or pick.substitute is None else kg_text(pick.substitute.weight_kg)
        )


def line_rows(order: Order) -> list[LineRow]:
    bill = order.final
    return [LineRow(line, None if bill is None else bill.line(line.id)) for line in order.lines]


def order_taxes(order: Order) -> list[tuple[str, str, Decimal]]:
    """The tax due per class: its name, its rate in percent, the amount."""
    return [(each.tax_class, rate_text(each.rate), each.amount) for each in order.taxes]


class OrderPages(Controller):
    path = "/orders"
    guards = (staff_only,)

    @get("/")
    async def list_orders(
        self,
        request: Request[Any, Any, Any],
        staff: Injected[Principal],
        orders: Injected[OrderService],
    ) -> Template:
        """Newest first, or a slot day's by slot start; filters typed wrong are shown next
        to their fields."""
        query = FormReader(request.query_params)
        day = query.day_or_none("slot_date")
        status = query.choice_or_none("status", OrderStatus)
        if query.errors:
            return _list_page(request, query, [], None, status=422)
        after = read_mark_cursor(query.text("cursor") or None)
        if day is None:
            found = await orders.page(staff, status=status, after=after, limit=PAGE_SIZE)
        else:
            found = await orders.of_slot_day(
                staff, day, status=status, after=after, limit=PAGE_SIZE
            )
        cursor = None if found.last is None else mark_cursor(*found.last)
        return _list_page(request, query, found.orders, cursor)

    @get("/{order_id:uuid}")
    async def show_order(
        self,
        request: Request[Any, Any, Any],
        order_id: FromPath[UUID],
        staff: Injected[Principal],
        orders: Injected[OrderService],
        refunds: Injected[RefundService],
    ) -> Template:
        return await order_page(request, await orders.get(staff, order_id), refunds)

    @post("/{order_id:uuid}/status")
    async def change_status(
        self,
        request: Request[Any, Any, Any],
        order_id: FromPath[UUID],
        staff: Injected[Principal],
        orders: Injected[OrderService],
        refunds: Injected[RefundService],
    ) -> Template | Redirect:
        """One step along, as PATCH /api/orders/{id} (its 409s shown on the page)."""
        form = FormReader(await request.form())
        wanted = form.choice("status", OrderStatus)
        try:
            form.refuse_unreadable()
            assert isinstance(wanted, OrderStatus)  # else the form had an error
            moved = await orders.step(order_id, wanted)
        except DomainError as refused:
            order = await orders.get(staff, order_id)
            errors = {"status": refused.detail}
            return await order_page(
                request, order, refunds, status_errors=errors, status=status_for(refused)
            )
        return after_form(request, f"/admin/orders/{order_id}", f"The order is {moved.status}.")

    @post("/{order_id:uuid}/cancel")
    async def cancel_order(
        self,
        request: Request[Any, Any, Any],
        order_id: FromPath[UUID],
        staff: Injected[Principal],
        orders: Injected[OrderService],
        refunds: Injected[RefundService],
    ) -> Template | Redirect:
        """As POST /api/orders/{id}/cancel: stock, sales, promo use and the slot's place go
        back, a card is voided or refunded."""
        try:
            await orders.cancel(staff, order_id)
        except DomainError as refused:
            order = await orders.get(staff, order_id)
            errors = {"cancel": refused.detail}
            return await order_page(
                request, order, refunds, cancel_errors=errors, status=status_for(refused)
            )
        return after_form(request, f"/admin/orders/{order_id}", "The order is cancelled.")

    @post("/{order_id:uuid}/refunds")
    async def refund(
        self,
        request: Request[Any, Any, Any],
        order_id: FromPath[UUID],
        staff: Injected[Principal],
        orders: Injected[OrderService],
        refunds: Injected[RefundService],
        formats: Injected[StoreFormats],
    ) -> Template | Redirect:
        """Part or all of what was captured, as POST /api/orders/{id}/refunds."""
        form = FormReader(await request.form())
        try:
            given = await refunds.refund(
                order_id, form.text("amount"), form.text("reason"), staff.user_id
            )
        except DomainError as refused:
            order = await orders.get(staff, order_id)
            return await order_page(
                request,
                order,
                refunds,
                refund_values=form.values,
                refund_errors=_refund_errors(refused),
                status=status_for(refused),
            )
        notice = f"Refunded {formats.money(given.amount)}."
        return after_form(request, f"/admin/orders/{order_id}", notice)


async def order_page(
    request: Request[Any, Any, Any],
    order: Order,
    refunds: RefundService,
    *,
    status_errors: dict[str, str] | None = None,
    cancel_errors: dict[str, str] | None = None,
    refund_values: dict[str, str] | None = None,
    refund_errors: dict[str, str] | None = None,
    status: int = 200,
) -> Template:
    return page(
        request,
        "orders/detail.html",
        status=status,
        order=order,
        rows=line_rows(order),
        taxes=order_taxes(order),
        next_step=next_step(order.status),
        may_cancel=staff_may_cancel(order.status),
        status_errors=status_errors or {},
        cancel_errors=cancel_errors or {},
        refund_values=refund_values or {},
        refund_errors=refund_errors or {},
        refunds=await refunds.of_order(order.id),
    )


def _list_page(
    request: Request[Any, Any, Any],
    query: FormReader,
    orders: list[Order],
    next_cursor: str | None,
    status: int = 200,
) -> Template:
    return page(
        request,
        "orders/list.html",
        status=status,
        orders=orders,
        next_cursor=next_cursor,
        values=query.values,
        errors=query.errors,
        statuses=STATUSES,
    )


def _refund_errors(refused: DomainError) -> dict[str, str]:
    """refund_exceeds_captured names no field, but it is the amount that is too much."""
    if refused.code == "refund_exceeds_captured":
        return {"amount": refused.detail}
    return field_errors(refused)
