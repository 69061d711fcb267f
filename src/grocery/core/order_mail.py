"""What the customer is told about their order, as the facts of a letter: each names the
order by its id."""

from __future__ import annotations

from typing import Any

from grocery.core.identity import User
from grocery.core.mail import Letter, MailKind
from grocery.core.money import format_money
from grocery.core.orders import Order


def order_letter(kind: MailKind, order: Order, customer: User) -> Letter:
    """The letter of `kind` (order placed, shipped, cancelled) about `order`."""
    return Letter(kind=kind, to=customer.email, to_name=customer.username, facts=_facts(order))


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
