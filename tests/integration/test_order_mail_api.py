"""Order mail over HTTP, caught by a real SMTP server: the customer hears when an order is
placed, when picking changed it, when it ships and when it is cancelled, each mail naming
the order by its id; an order that was never placed mails nothing."""

from __future__ import annotations

from grocery.entrypoints.wiring import Adapters
from tests.integration.checkout_shop import Shop, checkout
from tests.integration.conftest import SignedInUser
from tests.integration.mailroom import Mailroom
from tests.integration.picking_shop import Picker
from tests.integration.slot_shop import Places, hold


async def test_placing_an_order_mails_its_lines_and_total(
    shop: Shop, ann: SignedInUser, mailroom: Mailroom
) -> None:
    apples = await shop.product(price="1.25", stock=10)
    order = await shop.placed(ann, (apples, 2))

    [mail] = await mailroom.wait_for(ann.email)

    text = mail.part("text/plain")
    assert mail.message["Subject"] == f"Your grocery order {order['id']}"
    assert order["id"] in text and order["id"] in mail.part("text/html")
    assert f"2 x {apples['name']}: 2.50 USD" in text
    assert "Total: 2.50 USD" in text
    assert mail.message["To"] == f"{ann.username} <{ann.email}>"


async def test_shipping_and_cancelling_mail_the_customer_once_each(
    shop: Shop, ann: SignedInUser, bob: SignedInUser, mailroom: Mailroom
) -> None:
    apples = await shop.product(stock=10)
    shipped = await shop.placed(ann, (apples, 1))
    cancelled = await shop.placed(bob, (apples, 1))
    manager = shop.manager.headers
    for status in ("processing", "shipped", "delivered"):
        moved = await shop.client.patch(
            f"/api/orders/{shipped['id']}", json={"status": status}, headers=manager
        )
        assert moved.status_code == 200, moved.text
    for _ in range(2):  # cancelling twice tells once
        answer = await shop.client.post(
            f"/api/orders/{cancelled['id']}/cancel", headers=bob.headers
        )
        assert answer.status_code == 200, answer.text

    _, shipped_mail = await mailroom.wait_for(ann.email, count=2)
    _, cancelled_mail = await mailroom.wait_for(bob.email, count=2)

    assert shipped_mail.message["Subject"] == f"Your grocery order {shipped['id']} is on its way"
    assert shipped["id"] in shipped_mail.part("text/plain")
    assert cancelled_mail.message["Subject"] == f"Your grocery order {cancelled['id']} is cancelled"
    assert "(2.50 USD) is cancelled" in cancelled_mail.part("text/plain")
    await mailroom.exactly(ann.email, 2)  # processing and delivered mail nothing
    await mailroom.exactly(bob.email, 2)


async def test_an_order_collected_at_a_counter_is_ready_for_collection_there(
    shop: Shop, adapters: Adapters, ann: SignedInUser, mailroom: Mailroom
) -> None:
    places = Places(adapters)
    point = await places.point("Market hall counter")
    await shop.fill(ann, (await shop.product(stock=10), 1))
    assert (await hold(shop.client, ann, await places.slot(point))).status_code == 200
    order = (await checkout(shop.client, ann)).json()
    for status in ("processing", "shipped"):
        moved = await shop.client.patch(
            f"/api/orders/{order['id']}", json={"status": status}, headers=shop.manager.headers
        )
        assert moved.status_code == 200, moved.text

    _, ready = await mailroom.wait_for(ann.email, count=2)

    assert ready.message["Subject"] == f"Your grocery order {order['id']} is ready for collection"
    text = ready.part("text/plain")
    assert f"Your order {order['id']} is ready for you to collect at Market hall counter." in text


async def test_a_checkout_refused_for_short_stock_mails_nothing(
    shop: Shop, ann: SignedInUser, mailroom: Mailroom
) -> None:
    saffron = await shop.product(stock=1)
    await shop.fill(ann, (saffron, 1))
    await shop.edit(saffron, stock=0)

    answer = await checkout(shop.client, ann)

    assert answer.status_code == 409
    await mailroom.exactly(ann.email, 0)


async def test_picking_that_changed_an_order_mails_what_changed_and_the_final_total(
    shop: Shop, ann: SignedInUser, bob: SignedInUser, mailroom: Mailroom
) -> None:
    picker = Picker(shop)
    milk, oat, eggs = await shop.product("2.00"), await shop.product("1.50"), await shop.product()
    changed = await picker.placed_by(ann, (milk, 2))
    as_ordered = await picker.placed_by(bob, (eggs, 1))
    for order in (changed, as_ordered):
        await picker.start(order)
    await picker.pick(
        changed, 0, picked_quantity=1, substitute={"product_id": oat["id"], "quantity": 1}
    )
    await picker.pick(as_ordered, 0, picked_quantity=1)
    await picker.complete(changed)
    await picker.complete(as_ordered)

    _, picked_mail = await mailroom.wait_for(ann.email, count=2)

    text = picked_mail.part("text/plain")
    # A subject this long is folded onto a second header line; unfolded it reads as written.
    subject = " ".join(str(picked_mail.message["Subject"]).split())
    assert subject == f"Your grocery order {changed['id']} has been picked"
    assert f"{milk['name']}: ordered 2, picked 1, replaced by 1 x {oat['name']}" in text
    assert "Total at checkout: 4.00 USD" in text and "Final total: 3.50 USD" in text
    await mailroom.exactly(bob.email, 1)  # picked as ordered: only the order's own mail
