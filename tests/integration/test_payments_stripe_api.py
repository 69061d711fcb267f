"""Card payments at checkout through Stripe, against localstripe on loopback (no SDK call is
mocked): a card is authorized, one that is declined or a provider out of reach leaves
nothing behind, and without a card the order waits with its client secret."""

from __future__ import annotations

from uuid import UUID

from grocery.adapters.sql.uow import SqlUnitOfWork
from grocery.config import Settings
from grocery.core.orders import Order
from grocery.entrypoints.wiring import Adapters
from tests.integration.card_shop import DECLINED, VISA, card_settings, intent, pay, served
from tests.integration.catalog_shop import Json
from tests.integration.checkout_shop import Shop, checkout
from tests.integration.conftest import SignedInUser, free_port
from tests.integration.mailroom import Mailroom


async def stored(adapters: Adapters, order_id: str) -> Order:
    async with SqlUnitOfWork(adapters.database) as uow:
        order = await uow.orders.get(UUID(order_id))
    assert order is not None
    return order


async def test_a_card_given_at_checkout_is_authorized_for_the_total(
    card_shop: Shop, ann: SignedInUser, adapters: Adapters, localstripe: str, mailroom: Mailroom
) -> None:
    apples = await card_shop.product(price="2.50", stock=10)

    answer = await pay(card_shop, ann, VISA, (apples, 4))

    assert answer.status_code == 201, answer.text
    assert answer.json()["payment"] == {
        "provider": "stripe",
        "status": "authorized",
        "amount_authorized": "10.00",
        "amount_captured": "0.00",
        "amount_refunded": "0.00",
    }
    order = await stored(adapters, answer.json()["id"])
    assert order.payment.reference is not None
    pi = await intent(localstripe, order.payment.reference)
    assert (pi["status"], pi["amount"], pi["capture_method"]) == (
        "requires_capture",
        1000,
        "manual",
    )
    assert pi["metadata"] == {"order_id": answer.json()["id"]}
    await mailroom.wait_for(ann.email)  # placed


async def _nothing_changed(shop: Shop, user: SignedInUser, product: Json, cart: Json) -> None:
    assert await shop.orders_of(user) == []
    now = await shop.now(product)
    assert (now["stock"], now["units_sold"]) == (product["stock"], product["units_sold"])
    assert await shop.cart(user) == cart
    ledger = await shop.client.get(
        f"/api/products/{product['id']}/stock-movements", headers=shop.manager.headers
    )
    assert [move["kind"] for move in ledger.json()["items"]] == ["initial"]


async def test_a_declined_card_leaves_no_order_and_the_stock_and_cart_as_they_were(
    card_shop: Shop, ann: SignedInUser, mailroom: Mailroom
) -> None:
    apples = await card_shop.product(price="2.50", stock=5)
    promo = await card_shop.promo()
    await card_shop.fill(ann, (apples, 2))
    await card_shop.apply(ann, promo)
    cart = await card_shop.cart(ann)

    declined = await checkout(card_shop.client, ann, key="try-1", body={"payment_method": DECLINED})

    assert declined.status_code == 402, declined.text
    assert declined.json()["code"] == "payment_declined"
    await _nothing_changed(card_shop, ann, apples, cart)
    assert (await card_shop.promo_now(promo))["times_used"] == 0
    # The key is free again: the customer tries another card.
    again = await checkout(card_shop.client, ann, key="try-1", body={"payment_method": VISA})
    assert again.status_code == 201, again.text
    assert again.json()["payment"]["status"] == "authorized"
    await mailroom.wait_for(ann.email)
    await mailroom.exactly(ann.email, 1)  # the order placed, nothing for the declined one


async def test_without_a_card_the_order_waits_for_the_customer_with_a_client_secret(
    card_shop: Shop, ann: SignedInUser, adapters: Adapters, localstripe: str
) -> None:
    apples = await card_shop.product(price="1.20", stock=5)

    answer = await pay(card_shop, ann, None, (apples, 1))

    assert answer.status_code == 201, answer.text
    payment = answer.json()["payment"]
    order = await stored(adapters, answer.json()["id"])
    assert payment["status"] == "requires_action"
    assert payment["client_secret"] == order.payment.client_secret
    assert payment["client_secret"].startswith(f"{order.payment.reference}_secret_")
    pi = await intent(localstripe, str(order.payment.reference))
    assert (pi["status"], pi["amount"]) == ("requires_payment_method", 120)


async def test_a_provider_out_of_reach_at_checkout_is_503_and_nothing_changes(
    settings: Settings, shop: Shop, ann: SignedInUser
) -> None:
    apples = await shop.product(price="2.50", stock=5)
    await shop.fill(ann, (apples, 1))
    cart = await shop.cart(ann)
    nowhere = f"http://127.0.0.1:{free_port()}"

    async for client in served(card_settings(settings, nowhere)):
        answer = await checkout(client, ann, body={"payment_method": VISA})

    assert answer.status_code == 503, answer.text
    assert answer.json()["code"] == "service_unavailable"
    await _nothing_changed(shop, ann, apples, cart)
