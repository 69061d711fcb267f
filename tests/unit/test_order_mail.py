"""Which mail an order's dispatch sends, and the ready-for-collection letter as written."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from uuid import uuid4

import pytest

from grocery.adapters.mail.templates import MailTemplates
from grocery.core.fulfilment.pickup_points import PickupPointRef
from grocery.core.fulfilment.slots import OrderFulfilment
from grocery.core.fulfilment.zones import FulfilmentMethod
from grocery.core.identity import Role, User
from grocery.core.mail import MailKind
from grocery.core.order_mail import dispatch_mail, order_letter
from grocery.core.orders import Order
from tests.unit.orders_shop import NOW, Shop

TEMPLATES = MailTemplates(store_name="Corner Grocery", public_url="https://corner.example/")


def _handed_over(order: Order, method: FulfilmentMethod | None, point: str | None) -> Order:
    """`order` as booked on a slot of `method` (None: placed without a slot)."""
    if method is None:
        return order
    fulfilment = OrderFulfilment(
        method=method,
        slot_id=uuid4(),
        starts_at=NOW + timedelta(days=1),
        ends_at=NOW + timedelta(days=1, hours=2),
        address=None,
        pickup_point=None if point is None else PickupPointRef(id=uuid4(), name=point),
    )
    return replace(order, fulfilment=fulfilment)


@pytest.mark.parametrize(
    ("method", "kind"),
    [
        (FulfilmentMethod.PICKUP, MailKind.ORDER_READY_FOR_COLLECTION),
        (FulfilmentMethod.DELIVERY, MailKind.ORDER_SHIPPED),
        (None, MailKind.ORDER_SHIPPED),  # placed without a slot
    ],
)
async def test_a_collected_order_is_ready_for_collection_and_any_other_on_its_way(
    method: FulfilmentMethod | None, kind: MailKind
) -> None:
    order, _ = await _order()

    assert dispatch_mail(_handed_over(order, method, "Main St")) is kind


async def _order() -> tuple[Order, User]:
    shop = Shop()
    ann = User(
        id=uuid4(),
        email="ann@example.com",
        username="ann",
        password_hash="x",
        role=Role.CUSTOMER,
        is_active=True,
        created_at=NOW,
    )
    return await shop.place(ann.id, (shop.product("2.00"), 1)), ann


async def test_the_ready_for_collection_mail_names_the_order_and_the_pickup_point() -> None:
    order, ann = await _order()
    order = _handed_over(order, FulfilmentMethod.PICKUP, "Main St")

    letter = order_letter(MailKind.ORDER_READY_FOR_COLLECTION, order, ann)
    mail = TEMPLATES.write(letter, mail_id=uuid4())

    assert (letter.to, letter.facts["order_id"]) == ("ann@example.com", str(order.id))
    assert mail.subject == f"Your Corner Grocery order {order.id} is ready for collection"
    assert f"Your order {order.id} is ready for you to collect at Main St." in mail.text


async def test_without_a_known_pickup_point_the_mail_still_goes() -> None:
    order, ann = await _order()
    order = _handed_over(order, FulfilmentMethod.PICKUP, None)

    letter = order_letter(MailKind.ORDER_READY_FOR_COLLECTION, order, ann)
    mail = TEMPLATES.write(letter, mail_id=uuid4())

    assert f"Your order {order.id} is ready for you to collect." in mail.text


async def test_only_the_ready_for_collection_mail_carries_a_pickup_point() -> None:
    order, ann = await _order()

    assert "pickup_point" not in order_letter(MailKind.ORDER_SHIPPED, order, ann).facts
