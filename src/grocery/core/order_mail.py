"""What the customer is told about their order, as the facts of a letter: each names the
order by its id."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from grocery.core.fulfilment.zones import FulfilmentMethod
from grocery.core.identity import User
from grocery.core.mail import Letter, MailKind
from grocery.core.money import format_money
from grocery.core.orders import Order


def order_letter(kind: MailKind, order: Order, customer: User) -> Letter:
    """The letter of `kind` (order placed, picked, shipped or ready for collection,
    cancelled) about `order`; one ready for collection names the order's pickup point."""
    facts = _picked_facts(order) if kind is MailKind.ORDER_PICKED else _facts(order)
    if kind is MailKind.ORDER_READY_FOR_COLLECTION:
        point = None if order.fulfilment is None else order.fulfilment.pickup_point
        facts["pickup_point"] = None if point is None else point.name
    return Letter(kind=kind, to=customer.email, to_name=customer.username, facts=facts)


def refund_letter(order: Order, amount: Decimal, customer: User) -> Letter:
    """The letter telling the customer `amount` was refunded on `order`."""
    facts = {"order_id": str(order.id), "currency": order.currency, "amount": format_money(amount)}
    return Letter(
        kind=MailKind.ORDER_REFUNDED, to=customer.email, to_name=customer.username, facts=facts
    )


def dispatch_mail(order: Order) -> MailKind:
    """What the customer is told when their order leaves the picking floor (a manager marks
    it shipped): ready for collection when they collect it at a pickup point, else on its
    way (a delivery, or an order placed without a slot)."""
    if order.fulfilment is not None and order.fulfilment.method is FulfilmentMethod.PICKUP:
        return MailKind.ORDER_READY_FOR_COLLECTION
    return MailKind.ORDER_SHIPPED


def picking_changed(order: Order) -> bool:
    """Whether what was handed over differs from what was ordered: a line short, weighed or
    substituted."""
    return bool(_changes(order))


def _picked_facts(order: Order) -> dict[str, Any]:
    return {
        "order_id": str(order.id),
        "currency": order.currency,
        "changes": _changes(order),
        "checkout_total": format_money(order.total),
        "total": format_money(order.total_due),
    }


def _changes(order: Order) -> list[dict[str, Any]]:
    changes = []
    for line in order.lines:
        pick = line.pick
        if pick is None:
            continue
        weight, sub = pick.picked_weight_kg, pick.substitute
        if pick.picked_quantity == line.quantity and weight is None and sub is None:
            continue
        changes.append(
            {
                "name": line.product_name,
                "ordered": line.quantity,
                "picked": pick.picked_quantity,
                "weight_kg": None if weight is None else f"{weight:.3f}",
                "substitute": None
                if sub is None
                else {"name": sub.product_name, "quantity": sub.quantity},
            }
        )
    return changes


def _facts(order: Order) -> dict[str, Any]:
    return {
        "order_id": str(order.id),
        "currency": order.currency,
        "lines": [
            {
                "name": line.product_name,
                "quantity": line.quantity,
                "line_total": format_money(line.line_total),
            }
            for line in order.lines
        ],
        "subtotal": format_money(order.subtotal),
        "discount": format_money(order.discount),
        "total": format_money(order.total),
    }
