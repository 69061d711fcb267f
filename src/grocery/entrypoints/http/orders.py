"""Orders over HTTP: customers see their own, managers everyone's and move them along."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

import msgspec
from litestar import Controller, get, patch, post
from litestar.params import FromPath, FromQuery, JSONBody

from grocery.core.identity import Principal
from grocery.core.money import format_money
from grocery.core.orders import Answer, Order, OrderStatus
from grocery.core.services.orders import OrderService
from grocery.entrypoints.http.deps import Injected
from grocery.entrypoints.http.guards import manager, signed_in
from grocery.entrypoints.http.pages import DEFAULT_LIMIT, Limit, mark_cursor, read_mark_cursor


class OrderLineOut(msgspec.Struct):
    product_id: UUID
    product_name: str
    quantity: int
    price_at_purchase: str
    discount: str
    line_total: str


class OrderOut(msgspec.Struct):
    id: UUID
    status: OrderStatus
    items: list[OrderLineOut]
    subtotal: str
    discount: str
    total: str
    promo_code: str | None
    currency: str
    created_at: datetime

    @classmethod
    def of(cls, order: Order) -> OrderOut:
        return cls(
            id=order.id,
            status=order.status,
            items=[
                OrderLineOut(
                    product_id=line.product_id,
                    product_name=line.product_name,
                    quantity=line.quantity,
                    price_at_purchase=format_money(line.price_at_purchase),
                    discount=format_money(line.discount),
                    line_total=format_money(line.line_total),
                )
                for line in order.lines
            ],
            subtotal=format_money(order.subtotal),
            discount=format_money(order.discount),
            total=format_money(order.total),
            promo_code=order.promo_code,
            currency=order.currency,
            created_at=order.created_at,
        )


def placed_answer(order: Order) -> Answer:
    """Checkout's 201, as plain JSON values: what an Idempotency-Key replays."""
    body: dict[str, Any] = msgspec.to_builtins(OrderOut.of(order))
    return Answer(status=201, body=body)


class OrderListOut(msgspec.Struct):
    items: list[OrderOut]
    next_cursor: str | None


class StatusBody(msgspec.Struct):
    status: OrderStatus


class OrderController(Controller):
    path = "/orders"
    tags = ("orders",)

    @get("/", guards=[signed_in])
    async def list_orders(
        self,
        principal: Injected[Principal],
        orders: Injected[OrderService],
        customer: FromQuery[UUID | None] = None,
        limit: Limit = DEFAULT_LIMIT,
        cursor: FromQuery[str | None] = None,
    ) -> OrderListOut:
        """Newest first: a customer's own orders; managers see all, or one `customer`'s."""
        page = await orders.page(
            principal, customer=customer, after=read_mark_cursor(cursor), limit=limit
        )
        return OrderListOut(
            items=[OrderOut.of(order) for order in page.orders],
            next_cursor=None if page.last is None else mark_cursor(*page.last),
        )

    @get("/{order_id:uuid}", guards=[signed_in])
    async def show(
        self,
        order_id: FromPath[UUID],
        principal: Injected[Principal],
        orders: Injected[OrderService],
    ) -> OrderOut:
        return OrderOut.of(await orders.get(principal, order_id))

    @post("/{order_id:uuid}/cancel", status_code=200, guards=[signed_in])
    async def cancel(
        self,
        order_id: FromPath[UUID],
        principal: Injected[Principal],
        orders: Injected[OrderService],
    ) -> OrderOut:
        """The owner while it is placed, a manager until it ships. Stock, units sold and the
        promo use go back; cancelling again changes nothing."""
        return OrderOut.of(await orders.cancel(principal, order_id))

    @patch("/{order_id:uuid}", guards=[manager])
    async def change_status(
        self,
        order_id: FromPath[UUID],
        data: JSONBody[StatusBody],
        orders: Injected[OrderService],
    ) -> OrderOut:
        """One step along placed -> processing -> shipped -> delivered."""
        return OrderOut.of(await orders.step(order_id, data.status))
