"""Orders over HTTP: customers see their own, managers everyone's and move them along."""

from __future__ import annotations

from datetime import date, datetime
from uuid import UUID

import msgspec
from litestar import Controller, get, patch, post
from litestar.params import FromPath, FromQuery, JSONBody

from grocery.core.final_bill import BilledLine
from grocery.core.fulfilment.slots import OrderFulfilment
from grocery.core.fulfilment.zones import FulfilmentMethod
from grocery.core.identity import Principal
from grocery.core.money import format_money
from grocery.core.orders import Answer, Order, OrderLine, OrderStatus
from grocery.core.payments import Payment, PaymentProvider, PaymentStatus
from grocery.core.picking import SubstitutePick
from grocery.core.services.orders import OrderService
from grocery.core.substitutions import Substitution
from grocery.core.taxes import rate_text
from grocery.entrypoints.http.addresses import OrderAddressOut
from grocery.entrypoints.http.cart import SlotTimesOut
from grocery.entrypoints.http.catalog import kg_text
from grocery.entrypoints.http.deps import Injected
from grocery.entrypoints.http.guards import manager, signed_in
from grocery.entrypoints.http.pages import DEFAULT_LIMIT, Limit, mark_cursor, read_mark_cursor
from grocery.entrypoints.http.problems import problem_answer
from grocery.entrypoints.metrics import Tally


class SubstituteOut(msgspec.Struct):
    product_id: UUID
    product_name: str
    quantity: int
    weight_kg: str | None
    line_total: str  # its own price until picking completes, then what it was billed


class OrderLineOut(msgspec.Struct):
    id: UUID
    product_id: UUID
    product_name: str
    quantity: int
    price_at_purchase: str  # per piece, or per step of a weighed product
    discount: str
    line_total: str  # at checkout: an estimate for a weighed line
    tax: str  # on line_total at checkout
    estimated: bool
    estimated_weight_kg: str | None
    substitution: Substitution
    preferred_substitute_id: UUID | None
    picked_quantity: int | None  # null until the line is picked
    picked_weight_kg: str | None
    substitute: SubstituteOut | None
    final_line_total: str | None  # once picking is complete
    final_tax: str | None

    @classmethod
    def of(cls, line: OrderLine, billed: BilledLine | None) -> OrderLineOut:
        pick = line.pick
        return cls(
            id=line.id,
            product_id=line.product_id,
            product_name=line.product_name,
            quantity=line.quantity,
            price_at_purchase=format_money(line.price_at_purchase),
            discount=format_money(line.discount),
            line_total=format_money(line.line_total),
            tax=format_money(line.tax),
            estimated=line.weighing is not None,
            estimated_weight_kg=kg_text(
                None if line.weighing is None else line.weighing.weight_of(line.quantity)
            ),
            substitution=line.choice.substitution,
            preferred_substitute_id=line.choice.preferred_substitute_id,
            picked_quantity=None if pick is None else pick.picked_quantity,
            picked_weight_kg=None if pick is None else kg_text(pick.picked_weight_kg),
            substitute=None if pick is None else _substitute_out(pick.substitute, billed),
            final_line_total=None if billed is None else format_money(billed.line_total),
            final_tax=None if billed is None else format_money(billed.tax),
        )


def _substitute_out(sub: SubstitutePick | None, billed: BilledLine | None) -> SubstituteOut | None:
    if sub is None:
        return None
    amount = sub.unit_price * sub.quantity if billed is None else billed.substitute_amount
    return SubstituteOut(
        product_id=sub.product_id,
        product_name=sub.product_name,
        quantity=sub.quantity,
        weight_kg=kg_text(sub.weight_kg),
        line_total=format_money(amount),
    )


class PaymentOut(msgspec.Struct, omit_defaults=True):
    provider: PaymentProvider
    status: PaymentStatus
    amount_authorized: str
    amount_captured: str
    amount_refunded: str
    client_secret: str | None = None  # for the storefront's Stripe.js, while action is required

    @classmethod
    def of(cls, payment: Payment) -> PaymentOut:
        return cls(
            provider=payment.provider,
            status=payment.status,
            amount_authorized=format_money(payment.amount_authorized),
            amount_captured=format_money(payment.amount_captured),
            amount_refunded=format_money(payment.amount_refunded),
            client_secret=payment.client_secret,
        )


class ClassTaxOut(msgspec.Struct):
    tax_class: str
    rate: str  # a percent: "20", "7.5"
    amount: str


class PickupPointRefOut(msgspec.Struct):
    id: UUID
    name: str


class OrderFulfilmentOut(msgspec.Struct):
    method: FulfilmentMethod
    slot: SlotTimesOut
    address: OrderAddressOut | None  # delivery
    pickup_point: PickupPointRefOut | None  # pickup

    @classmethod
    def of(cls, fulfilment: OrderFulfilment | None) -> OrderFulfilmentOut | None:
        if fulfilment is None:
            return None
        point, address = fulfilment.pickup_point, fulfilment.address
        return cls(
            method=fulfilment.method,
            slot=SlotTimesOut(
                id=fulfilment.slot_id, starts_at=fulfilment.starts_at, ends_at=fulfilment.ends_at
            ),
            address=None if address is None else OrderAddressOut.of(address),
            pickup_point=None if point is None else PickupPointRefOut(id=point.id, name=point.name),
        )


class OrderOut(msgspec.Struct):
    id: UUID
    status: OrderStatus
    items: list[OrderLineOut]
    subtotal: str  # the final amounts once picking is complete
    discount: str
    delivery_fee: str  # as at checkout
    tax: str
    total: str  # subtotal - discount + delivery_fee (+ tax when prices exclude it)
    taxes: list[ClassTaxOut]  # `tax` per class, at the rates of checkout day
    prices_include_tax: bool  # false: tax is added to the total
    checkout_total: str  # the total at checkout
    promo_code: str | None
    currency: str
    created_at: datetime
    payment: PaymentOut
    fulfilment: OrderFulfilmentOut | None  # the booked slot; null for an order without

    @classmethod
    def of(cls, order: Order) -> OrderOut:
        bill = order.final
        return cls(
            id=order.id,
            status=order.status,
            items=[
                OrderLineOut.of(line, None if bill is None else bill.line(line.id))
                for line in order.lines
            ],
            subtotal=format_money(order.subtotal if bill is None else bill.subtotal),
            discount=format_money(order.discount if bill is None else bill.discount),
            delivery_fee=format_money(order.delivery_fee),
            tax=format_money(order.tax_due),
            total=format_money(order.total_due),
            taxes=[
                ClassTaxOut(t.tax_class, rate_text(t.rate), format_money(t.amount))
                for t in order.taxes
            ],
            prices_include_tax=order.prices_include_tax,
            checkout_total=format_money(order.total),
            promo_code=order.promo_code,
            currency=order.currency,
            created_at=order.created_at,
            payment=PaymentOut.of(order.payment),
            fulfilment=OrderFulfilmentOut.of(order.fulfilment),
        )


def placed_answer(order: Order) -> Answer:
    """Checkout's 201 as its JSON: what an Idempotency-Key replays."""
    return Answer(status=201, body=msgspec.json.encode(OrderOut.of(order)))


class OrderListOut(msgspec.Struct):
    items: list[OrderOut]
    next_cursor: str | None


class StatusBody(msgspec.Struct):
    status: OrderStatus


class OrderController(Controller):
    path = "/orders"
    tags = ("orders",)

    @get("/", guards=[signed_in], responses={403: problem_answer("slot_date from a customer")})
    async def list_orders(
        self,
        principal: Injected[Principal],
        orders: Injected[OrderService],
        customer: FromQuery[UUID | None] = None,
        status: FromQuery[OrderStatus | None] = None,
        slot_date: FromQuery[date | None] = None,
        limit: Limit = DEFAULT_LIMIT,
        cursor: FromQuery[str | None] = None,
    ) -> OrderListOut:
        """Newest first: a customer's own orders; managers see all, or one `customer`'s.
        Either may filter by `status`. With `slot_date` (managers only, the store's local
        date): the orders booked in slots starting that day, by slot start."""
        after = read_mark_cursor(cursor)
        if slot_date is not None:
            page = await orders.of_slot_day(
                principal, slot_date, status=status, after=after, limit=limit
            )
        else:
            page = await orders.page(
                principal, customer=customer, status=status, after=after, limit=limit
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
        metrics: Injected[Tally],
    ) -> OrderOut:
        """One step along placed -> processing -> shipped -> delivered. Shipping an order with
        weighed lines, or one whose picking started, before picking completes -> 409
        `picking_incomplete`; any other order ships picked in full."""
        order = OrderOut.of(await orders.step(order_id, data.status))
        if data.status == OrderStatus.DELIVERED and order.payment.provider == "manual":
            metrics.payment("manual", order.payment.status)  # paid at the door: captured
        return order
