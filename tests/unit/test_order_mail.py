"""Which mail an order's dispatch sends, and the ready-for-collection letter as written."""

from __future__ import annotations

from uuid import uuid4

import pytest

from grocery.adapters.mail.templates import MailTemplates
from grocery.core.fulfilment.zones import FulfilmentMethod
from grocery.core.identity import Role, User
from grocery.core.mail import MailKind
from grocery.core.order_mail import dispatch_mail, order_letter
from grocery.core.orders import Order
from tests.unit.orders_shop import NOW, Shop

TEMPLATES = MailTemplates(store_name="Corner Grocery", public_url="https://corner.example/")


@pytest.mark.parametrize(
    ("method", "kind"),
    [
        (FulfilmentMethod.PICKUP, MailKind.ORDER_READY_FOR_COLLECTION),
        (FulfilmentMethod.DELIVERY, MailKind.ORDER_SHIPPED),
        (None, MailKind.ORDER_SHIPPED),  # placed without a slot
    ],
)
def test_a_collected_order_is_ready_for_collection_and_any_other_on_its_way(
    method: FulfilmentMethod | None, kind: MailKind
) -> None:
    assert dispatch_mail(method) is kind


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

    letter = order_letter(MailKind.ORDER_READY_FOR_COLLECTION, order, ann, pickup_point="Main St")
    mail = TEMPLATES.write(letter, mail_id=uuid4())

    assert (letter.to, letter.facts["order_id"]) == ("ann@example.com", str(order.id))
    assert mail.subject == f"Your Corner Grocery order {order.id} is ready for collection"
    assert f"Your order {order.id} is ready for you to collect at Main St." in mail.text


async def test_without_a_known_pickup_point_the_mail_still_goes() -> None:
    order, ann = await _order()

    letter = order_letter(MailKind.ORDER_READY_FOR_COLLECTION, order, ann)
    mail = TEMPLATES.write(letter, mail_id=uuid4())

    assert f"Your order {order.id} is ready for you to collect." in mail.text


async def test_only_the_ready_for_collection_mail_carries_a_pickup_point() -> None:
    order, ann = await _order()

    assert "pickup_point" not in order_letter(MailKind.ORDER_SHIPPED, order, ann).facts
