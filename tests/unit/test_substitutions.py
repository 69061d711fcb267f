"""Substitution choices on cart lines, and weighed lines in the cart and the order."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from uuid import uuid4

import pytest

from grocery.core.cart import CartContents, CartEntry, ShelfItem, cart_lines
from grocery.core.errors import Invalid
from grocery.core.orders import order_from_cart
from grocery.core.pricing import price_cart
from grocery.core.substitutions import (
    NO_PREFERENCE,
    Substitution,
    SubstitutionChoice,
    substitution_choice,
)
from grocery.core.weights import Weighing

D = Decimal
NOW = datetime(2030, 5, 1, 12, 0, tzinfo=UTC)


def test_a_line_allows_substitutes_unless_told() -> None:
    assert SubstitutionChoice(Substitution.ALLOW, None) == NO_PREFERENCE
    assert NO_PREFERENCE.allowed


def test_a_choice_may_name_a_preferred_substitute() -> None:
    product, other = uuid4(), uuid4()
    assert substitution_choice(product, "allow", other) == SubstitutionChoice(
        Substitution.ALLOW, other
    )
    assert not substitution_choice(product, "none", None).allowed


@pytest.mark.parametrize(
    ("substitution", "preferred_is_self", "field"),
    [
        ("maybe", False, "substitution"),
        ("none", False, "preferred_substitute_id"),
        ("allow", True, "preferred_substitute_id"),
    ],
)
def test_a_contradictory_choice_is_refused(
    substitution: str, preferred_is_self: bool, field: str
) -> None:
    product = uuid4()
    preferred = product if preferred_is_self else uuid4()
    with pytest.raises(Invalid) as error:
        substitution_choice(product, substitution, preferred)
    assert [e["field"] for e in error.value.errors] == [field]


def shelf_item(price: str, step_kg: str | None = None, stock: int = 50) -> ShelfItem:
    return ShelfItem(
        product_id=uuid4(),
        name="Carrots",
        slug="carrots",
        unit_price=D(price),
        stock=stock,
        category_id=uuid4(),
        available=True,
        step_kg=None if step_kg is None else D(step_kg),
    )


def test_a_weighed_cart_line_is_priced_per_step_as_an_estimate() -> None:
    carrots, milk = shelf_item("2.98", "0.500"), shelf_item("0.99")
    no_subs = SubstitutionChoice(Substitution.NONE)
    entries = [
        CartEntry(product_id=carrots.product_id, quantity=3, choice=no_subs),
        CartEntry(product_id=milk.product_id, quantity=2),
    ]
    lines = cart_lines(entries, {item.product_id: item for item in (carrots, milk)})
    cart = price_cart(lines, None, NOW, uses_by_customer=0, delivery=None)
    weighed, by_piece = cart.lines
    assert (weighed.unit_price, weighed.line_total, weighed.estimated_weight_kg) == (
        D("1.49"),
        D("4.47"),
        D("1.500"),
    )
    assert weighed.weighing == Weighing(D("2.98"), D("0.500"))
    assert weighed.choice == no_subs
    assert (by_piece.estimated_weight_kg, by_piece.weighing, by_piece.choice) == (
        None,
        None,
        NO_PREFERENCE,
    )
    order = order_from_cart(
        cart, user_id=uuid4(), promo_code_id=None, fulfilment=None, currency="USD", now=NOW
    )
    line = order.lines[0]
    assert (line.price_at_purchase, line.weighing, line.choice) == (
        D("1.49"),
        Weighing(D("2.98"), D("0.500")),
        no_subs,
    )
    assert line.category_id == carrots.category_id


def test_changing_a_lines_quantity_keeps_its_choice() -> None:
    product = uuid4()
    choice = SubstitutionChoice(Substitution.ALLOW, uuid4())
    contents = CartContents(
        entries=[CartEntry(product_id=product, quantity=1, choice=choice)], shelf={}, promo_id=None
    )
    assert contents.with_line(product, 4).entries == [
        CartEntry(product_id=product, quantity=4, choice=choice)
    ]
    none = SubstitutionChoice(Substitution.NONE)
    assert contents.with_line(product, 4, none).entries[0].choice == none
