"""Orders to pick, made the way checkout makes them, for the picking and sales tests."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from decimal import Decimal
from uuid import UUID, uuid4

from grocery.core.cart import ShelfItem
from grocery.core.orders import Order, OrderStatus, order_from_cart
from grocery.core.picking import (
    PickRequest,
    SubstituteRequest,
    picking_line,
    recorded_pick,
    with_pick,
)
from grocery.core.pricing import CartLine, price_cart
from grocery.core.promotions import PromoCode
from grocery.core.substitutions import Substitution, SubstitutionChoice
from grocery.core.weights import Weighing

D = Decimal
NOW = datetime(2030, 5, 1, 12, 0, tzinfo=UTC)
FRUIT, DAIRY = UUID(int=1), UUID(int=2)


def piece(
    price: str, quantity: int = 1, *, category: UUID = FRUIT, substitution: str = "allow"
) -> CartLine:
    return CartLine(
        product_id=uuid4(),
        name="Pears",
        category_id=category,
        unit_price=D(price),
        quantity=quantity,
        choice=SubstitutionChoice(Substitution(substitution)),
    )


def weighed(price_per_kg: str, step_kg: str, quantity: int, *, category: UUID = FRUIT) -> CartLine:
    weighing = Weighing(D(price_per_kg), D(step_kg))
    return CartLine(
        product_id=uuid4(),
        name="Loose apples",
        category_id=category,
        unit_price=weighing.step_price,
        quantity=quantity,
        weighing=weighing,
    )


def being_picked(lines: list[CartLine], promo: PromoCode | None = None) -> Order:
    """An order checked out from `lines` and moved to processing."""
    order = order_from_cart(
        price_cart(lines, promo, NOW, uses_by_customer=0, delivery=None),
        user_id=uuid4(),
        promo_code_id=None if promo is None else promo.id,
        fulfilment=None,
        currency="USD",
        now=NOW,
    )
    return replace(order, status=OrderStatus.PROCESSING)


def on_shelf(price: str, *, step_kg: str | None = None, available: bool = True) -> ShelfItem:
    return ShelfItem(
        product_id=uuid4(),
        name="Substitute",
        slug="substitute",
        unit_price=D(price),
        stock=100,
        category_id=DAIRY,
        available=available,
        step_kg=None if step_kg is None else D(step_kg),
    )


def picked(
    order: Order,
    index: int,
    quantity: int,
    weight: str | None = None,
    *,
    substitute: ShelfItem | None = None,
    substitute_quantity: int = 1,
    substitute_weight: str | None = None,
    shelf_knows: bool = True,
) -> Order:
    """The order with line `index` picked as a picker would send it; without `shelf_knows`
    the substitute is a product the shelf has never heard of."""
    line = picking_line(order, order.lines[index].id)
    request = PickRequest(
        picked_quantity=quantity,
        picked_weight_kg=weight,
        substitute=None
        if substitute is None
        else SubstituteRequest(
            product_id=substitute.product_id,
            quantity=substitute_quantity,
            weight_kg=substitute_weight,
        ),
    )
    item = substitute if shelf_knows else None
    return with_pick(order, line.id, recorded_pick(line, request, item), NOW)


def picked_in_full(order: Order) -> Order:
    for index, line in enumerate(order.lines):
        weight = None if line.weighing is None else str(line.weighing.weight_of(line.quantity))
        order = picked(order, index, line.quantity, weight)
    return order
