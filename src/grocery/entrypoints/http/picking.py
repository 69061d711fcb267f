"""Picking over HTTP, for managers: start, a pick per line, complete."""

from __future__ import annotations

from uuid import UUID

import msgspec
from litestar import Controller, post, put
from litestar.params import FromPath, JSONBody

from grocery.core.identity import Principal
from grocery.core.orders import OrderStatus
from grocery.core.picking import PickRequest, SubstituteRequest
from grocery.core.services.orders import OrderService
from grocery.core.services.picking import PickingService
from grocery.entrypoints.http.deps import Injected
from grocery.entrypoints.http.fields import Kg
from grocery.entrypoints.http.guards import manager
from grocery.entrypoints.http.orders import OrderOut


class SubstituteBody(msgspec.Struct):
    product_id: UUID
    quantity: int = 1
    weight_kg: Kg | None = None  # a weighed substitute's weight


class PickBody(msgspec.Struct):
    picked_quantity: int  # 0 up to what was ordered
    picked_weight_kg: Kg | None = None  # a weighed line's weight, when any was picked
    substitute: SubstituteBody | None = None

    def request(self) -> PickRequest:
        sub = self.substitute
        return PickRequest(
            picked_quantity=self.picked_quantity,
            picked_weight_kg=self.picked_weight_kg,
            substitute=None
            if sub is None
            else SubstituteRequest(
                product_id=sub.product_id,
                quantity=sub.quantity,
                weight_kg=sub.weight_kg,
            ),
        )


class PickingController(Controller):
    path = "/orders/{order_id:uuid}"
    tags = ("picking",)
    guards = (manager,)

    @post("/picking", status_code=200)
    async def start(self, order_id: FromPath[UUID], orders: Injected[OrderService]) -> OrderOut:
        """placed -> processing; any other status -> 409 `invalid_status_transition`."""
        return OrderOut.of(await orders.step(order_id, OrderStatus.PROCESSING))

    @put("/picks/{line_id:uuid}")
    async def pick(
        self,
        order_id: FromPath[UUID],
        line_id: FromPath[UUID],
        data: JSONBody[PickBody],
        principal: Injected[Principal],
        picking: Injected[PickingService],
    ) -> OrderOut:
        """What was picked for a line; may be sent again until picking completes. Not being
        picked -> 409 `not_picking`; a substitute where the customer said none, or for a line
        picked in full -> 422 `substitution_not_allowed`; a substitute short of stock -> 409
        `insufficient_stock`."""
        order = await picking.pick(order_id, line_id, data.request(), principal.user_id)
        return OrderOut.of(order)

    @post("/picking/complete", status_code=200)
    async def complete(
        self,
        order_id: FromPath[UUID],
        principal: Injected[Principal],
        picking: Injected[PickingService],
    ) -> OrderOut:
        """The final bill; lines without a pick -> 422 `lines_not_picked` naming them. A
        card's capture is counted by the payment follow-ups."""
        return OrderOut.of(await picking.complete(order_id, principal.user_id))
