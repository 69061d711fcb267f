"""Orders: what a checkout wrote down, the steps an order goes through, and who may cancel it.

Prices, names and discounts are snapshotted at checkout and never change. Picking adds to
the record what was handed over (each line's pick) and the final bill (core/picking.py).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from typing import TYPE_CHECKING
from uuid import UUID

from grocery.core.alerts import StockMove
from grocery.core.errors import Conflict, Invalid, field_error, invalid
from grocery.core.fulfilment.slots import OrderFulfilment
from grocery.core.fulfilment.zones import FulfilmentMethod
from grocery.core.identity import Principal
from grocery.core.ids import new_id
from grocery.core.money import ZERO
from grocery.core.payments import MANUAL_PAYMENT, Payment
from grocery.core.pricing import CartLine, PricedCart
from grocery.core.substitutions import NO_PREFERENCE, SubstitutionChoice
from grocery.core.taxes import ClassTax, TaxRate, taxes_by_class
from grocery.core.weights import Weighing

if TYPE_CHECKING:
    from grocery.core.final_bill import FinalBill
    from grocery.core.picking import Pick


class OrderStatus(StrEnum):
    PLACED = "placed"
    PROCESSING = "processing"
    SHIPPED = "shipped"
    DELIVERED = "delivered"
    CANCELLED = "cancelled"


# The fulfilment steps a manager moves an order along, one at a time.
_NEXT_STEP = {
    OrderStatus.PLACED: OrderStatus.PROCESSING,
    OrderStatus.PROCESSING: OrderStatus.SHIPPED,
    OrderStatus.SHIPPED: OrderStatus.DELIVERED,
}
# Until it ships a manager may still stop an order; its customer only before work starts.
_CANCELLABLE_BY_STAFF = frozenset({OrderStatus.PLACED, OrderStatus.PROCESSING})
_CANCELLABLE_BY_CUSTOMER = frozenset({OrderStatus.PLACED})


@dataclass(frozen=True, kw_only=True, slots=True)
class OrderLine:
    id: UUID
    product_id: UUID
    product_name: str
    quantity: int
    price_at_purchase: Decimal  # per piece, or per step of a weighed product
    discount: Decimal  # this line's share of the order's discount
    line_total: Decimal
    category_id: UUID | None = None  # the product's at checkout: whether a promo covers it
    weighing: Weighing | None = None  # sold by weight: line_total is an estimate
    choice: SubstitutionChoice = NO_PREFERENCE
    pick: Pick | None = None  # what the picker recorded, once they have
    tax: Decimal = ZERO  # on line_total, at the class and rate it had at checkout
    taxed_by: TaxRate | None = None

    @property
    def subtotal(self) -> Decimal:
        """The line's amount before its share of the discount."""
        return self.line_total + self.discount

    @property
    def substitute_taxed_by(self) -> TaxRate | None:
        """The class the line's substitute is taxed at, its own; None without one."""
        if self.pick is None or self.pick.substitute is None:
            return None
        return self.pick.substitute.taxed_by


@dataclass(frozen=True, kw_only=True, slots=True)
class Order:
    id: UUID
    user_id: UUID
    status: OrderStatus
    lines: tuple[OrderLine, ...]
    subtotal: Decimal
    discount: Decimal
    total: Decimal  # subtotal - discount + delivery_fee
    promo_code_id: UUID | None
    promo_code: str | None
    currency: str
    created_at: datetime
    updated_at: datetime
    cancelled_at: datetime | None = None
    final: FinalBill | None = None  # once picking is complete
    payment: Payment = MANUAL_PAYMENT
    tax: Decimal = ZERO
    prices_include_tax: bool = False  # as the shop priced it at checkout

    @property
    def tax_due(self) -> Decimal:
        """The tax of what the customer pays: the final bill's once picked."""
        return self.tax if self.final is None else self.final.tax

    @property
    def taxes(self) -> tuple[ClassTax, ...]:
        """tax_due per class, at the classes and rates of checkout day."""
        bill = self.final
        if bill is None:
            return taxes_by_class((line.taxed_by, line.tax) for line in self.lines)
        return taxes_by_class(self._billed_taxes(bill))

    def _billed_taxes(self, bill: FinalBill) -> Iterator[tuple[TaxRate | None, Decimal]]:
        for line in self.lines:
            substitute = line.substitute_taxed_by
            own, its = bill.line(line.id).taxes(
                line.taxed_by, substitute, included=self.prices_include_tax
            )
            yield line.taxed_by, own
            yield substitute, its

    delivery_fee: Decimal = ZERO  # as priced at checkout; picking never changes it
    fulfilment: OrderFulfilment | None = None  # the booked slot, None for an order without

    @property
    def total_due(self) -> Decimal:
        """What the customer pays: the final bill's total once picked, the checkout's before."""
        return self.total if self.final is None else self.final.total

    @property
    def quantities(self) -> dict[UUID, int]:
        """Units per product, in product id order (the order stock rows are locked in)."""
        summed: dict[UUID, int] = {}
        for line in self.lines:
            summed[line.product_id] = summed.get(line.product_id, 0) + line.quantity
        return dict(sorted(summed.items()))


@dataclass(frozen=True, kw_only=True, slots=True)
class TakenStock:
    """Stock checkout took: the line priced from the product's row as it was taken."""

    line: CartLine
    move: StockMove


OrderMark = tuple[datetime, UUID]
"""Where a page of orders ended: the last order's (created_at, id)."""


@dataclass(frozen=True, slots=True)
class SlotTally:
    """How many of a day's orders one slot holds in one status: the day's plan, counted
    by the database however many orders there are."""

    slot_id: UUID
    starts_at: datetime
    ends_at: datetime
    method: FulfilmentMethod
    pickup_point: str | None  # the point's name as the orders copied it, for a pickup
    status: OrderStatus
    orders: int


def order_from_cart(
    cart: PricedCart,
    *,
    user_id: UUID,
    promo_code_id: UUID | None,
    fulfilment: OrderFulfilment | None,
    currency: str,
    now: datetime,
) -> Order:
    """The order for a cart priced strictly at checkout (every line available), handed
    over as `fulfilment` says (None: the cart held no slot)."""
    lines = tuple(
        OrderLine(
            id=new_id(),
            product_id=line.product_id,
            product_name=line.name,
            quantity=line.quantity,
            price_at_purchase=line.unit_price,
            discount=line.discount,
            line_total=line.line_total,
            category_id=line.category_id,
            weighing=line.weighing,
            choice=line.choice,
            tax=line.tax,
            taxed_by=line.taxed_by,
        )
        for line in cart.lines
    )
    return Order(
        id=new_id(),
        user_id=user_id,
        status=OrderStatus.PLACED,
        lines=lines,
        subtotal=cart.subtotal,
        discount=cart.discount,
        total=cart.total,
        promo_code_id=promo_code_id,
        promo_code=cart.promo_code,
        currency=currency,
        created_at=now,
        updated_at=now,
        tax=cart.tax,
        prices_include_tax=cart.prices_include_tax,
        delivery_fee=cart.delivery_fee,
        fulfilment=fulfilment,
    )


def check_step(order: Order, wanted: OrderStatus) -> None:
    """Conflict `invalid_status_transition` unless `wanted` is the order's next step."""
    if _NEXT_STEP.get(order.status) is not wanted:
        raise invalid_transition(order.status, wanted)


def next_step(status: OrderStatus) -> OrderStatus | None:
    """The step a manager may move an order in `status` to; None once it is done with."""
    return _NEXT_STEP.get(status)


def staff_may_cancel(status: OrderStatus) -> bool:
    """Whether a manager may still stop an order in `status` (until it ships)."""
    return status in _CANCELLABLE_BY_STAFF


def cancellable_from(order: Order, principal: Principal) -> frozenset[OrderStatus]:
    """The statuses this caller may cancel the order from; Conflict when its status isn't one.

    The caller must already be allowed to see the order.
    """
    allowed = _CANCELLABLE_BY_STAFF if principal.can_manage else _CANCELLABLE_BY_CUSTOMER
    if order.status not in allowed:
        raise invalid_transition(order.status, OrderStatus.CANCELLED)
    return allowed


def invalid_transition(current: OrderStatus, wanted: OrderStatus) -> Conflict:
    return Conflict(
        f"An order that is {current} can't become {wanted}.",
        code="invalid_status_transition",
        errors=[field_error("status", f"can't go from {current} to {wanted}")],
    )


# --- idempotent checkout ------------------------------------------------------

IDEMPOTENCY_KEY_MAX_LENGTH = 255


@dataclass(frozen=True, kw_only=True, slots=True)
class Answer:
    """What a checkout answered, kept under its Idempotency-Key to be given again.

    The body is rendered and encoded (JSON) by the entrypoint, once: the core only keeps and
    returns its bytes, which are sent as they are, the first time and on a replay.
    """

    status: int
    body: bytes
    replayed: bool = False


@dataclass(frozen=True, kw_only=True, slots=True)
class KeptAnswer:
    """An earlier request under the same key: its fingerprint and its answer."""

    request_hash: str
    answer: Answer | None  # None only while that request is still being answered


def check_idempotency_key(key: str) -> str:
    """Invalid unless the key is 1..255 visible ASCII characters."""
    if 0 < len(key) <= IDEMPOTENCY_KEY_MAX_LENGTH and key.isascii() and key.isprintable():
        return key
    raise invalid(
        "Idempotency-Key", f"must be 1 to {IDEMPOTENCY_KEY_MAX_LENGTH} visible ASCII characters"
    )


def request_fingerprint(request: Mapping[str, object]) -> str:
    """A stable hash of what a request asks for (its meaning, not its bytes)."""
    canonical = json.dumps(request, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()


def replay(kept: KeptAnswer, request_hash: str) -> Answer:
    """The earlier answer, when the key comes back with the same request."""
    if kept.request_hash != request_hash:
        raise Invalid(
            "This Idempotency-Key was used with another request.",
            code="idempotency_key_mismatch",
        )
    if kept.answer is None:
        raise Conflict(
            "A request with this Idempotency-Key is still being answered.",
            code="idempotency_key_in_use",
        )
    return Answer(status=kept.answer.status, body=kept.answer.body, replayed=True)
