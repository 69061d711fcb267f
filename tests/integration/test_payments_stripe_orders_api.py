"""A card payment after checkout, against localstripe: picking completes and the picked
amount is captured (weighed lines within the tolerance authorized at checkout); an order
can't ship before that; cancelling voids an authorization or refunds a capture in full;
managers refund in part or in full, never above the capture."""

from __future__ import annotations

from typing import Any

from grocery.entrypoints.wiring import Adapters
from tests.integration.card_shop import VISA, intent, pay
from tests.integration.catalog_shop import Json
from tests.integration.checkout_shop import Shop
from tests.integration.conftest import SignedInUser
from tests.integration.mailroom import Mailroom
from tests.integration.picking_shop import Picker
from tests.integration.test_payments_stripe_api import stored


async def _authorized(shop: Shop, user: SignedInUser, *lines: tuple[Json, int]) -> Json:
    answer = await pay(shop, user, VISA, *lines)
    assert answer.status_code == 201, answer.text
    assert answer.json()["payment"]["status"] == "authorized"
    return dict(answer.json())


async def _captured(shop: Shop, user: SignedInUser, price: str = "2.50", units: int = 4) -> Json:
    picker = Picker(shop)
    order = await _authorized(shop, user, (await shop.product(price=price, stock=10), units))
    await picker.start(order)
    await picker.pick(order, 0, picked_quantity=units)
    return await picker.complete(order)


async def _refund(shop: Shop, order: Json, amount: str, **headers: Any) -> Any:
    return await shop.client.post(
        f"/api/orders/{order['id']}/refunds",
        json={"amount": amount, "reason": "bruised"},
        headers=headers or shop.manager.headers,
    )


async def test_completing_picking_captures_the_picked_amount(
    card_shop: Shop, ann: SignedInUser, adapters: Adapters, localstripe: str
) -> None:
    picker = Picker(card_shop)
    apples = await picker.weighed(price="4.00", step_kg="0.500")  # 2 steps: 4.00, at most 4.40
    pears = await card_shop.product(price="2.50", stock=10)
    order = await _authorized(card_shop, ann, (apples, 2), (pears, 2))
    assert order["payment"]["amount_authorized"] == "9.40"  # 9.00 and 10% on the apples

    await picker.start(order)
    await picker.pick(order, 0, picked_quantity=2, picked_weight_kg="1.050")  # 4.20
    await picker.pick(order, 1, picked_quantity=1)  # one pear short: 2.50
    done = await picker.complete(order)

    assert done["total"] == "6.70"
    assert done["payment"] == {
        "provider": "stripe",
        "status": "captured",
        "amount_authorized": "9.40",
        "amount_captured": "6.70",
        "amount_refunded": "0.00",
    }
    reference = str((await stored(adapters, order["id"])).payment.reference)
    pi = await intent(localstripe, reference)
    charge = pi["latest_charge"]
    assert pi["status"] == "succeeded"
    assert charge["amount"] - charge["amount_refunded"] == 670  # the rest was let go


async def test_an_order_paid_by_card_ships_only_once_captured(
    card_shop: Shop, ann: SignedInUser
) -> None:
    picker = Picker(card_shop)
    order = await _authorized(card_shop, ann, (await card_shop.product(), 1))
    await picker.start(order)

    early = await picker.try_step(order, "shipped")

    assert early.status_code == 409, early.text
    assert early.json()["code"] == "payment_not_captured"
    assert (await picker.order(order))["status"] == "processing"


async def test_cancelling_before_capture_voids_the_authorization(
    card_shop: Shop, ann: SignedInUser, adapters: Adapters, localstripe: str
) -> None:
    order = await _authorized(card_shop, ann, (await card_shop.product(), 2))

    cancelled = await card_shop.client.post(
        f"/api/orders/{order['id']}/cancel", headers=ann.headers
    )

    assert cancelled.status_code == 200, cancelled.text
    assert cancelled.json()["payment"]["status"] == "voided"
    reference = str((await stored(adapters, order["id"])).payment.reference)
    assert (await intent(localstripe, reference))["status"] == "canceled"


async def test_cancelling_after_capture_refunds_it_in_full(
    card_shop: Shop, ann: SignedInUser, adapters: Adapters, localstripe: str, mailroom: Mailroom
) -> None:
    order = await _captured(card_shop, ann)

    cancelled = await card_shop.client.post(
        f"/api/orders/{order['id']}/cancel", headers=card_shop.manager.headers
    )

    assert cancelled.status_code == 200, cancelled.text
    payment = cancelled.json()["payment"]
    assert (payment["status"], payment["amount_refunded"]) == ("refunded", "10.00")
    reference = str((await stored(adapters, order["id"])).payment.reference)
    pi = await intent(localstripe, reference)
    charge = pi["latest_charge"]
    assert charge["amount_refunded"] == 1000
    mails = await mailroom.wait_for(ann.email, count=3)  # placed, cancelled, refunded
    assert any("refund" in mail.message["Subject"] for mail in mails)


async def test_managers_refund_a_capture_in_part_then_in_full_never_more(
    card_shop: Shop, ann: SignedInUser, adapters: Adapters, localstripe: str
) -> None:
    order = await _captured(card_shop, ann)

    part = await _refund(card_shop, order, "2.50")
    too_much = await _refund(card_shop, order, "7.51")
    by_customer = await _refund(card_shop, order, "1.00", **ann.headers)
    rest = await _refund(card_shop, order, "7.50")

    assert part.status_code == 201, part.text
    assert too_much.status_code == 409 and too_much.json()["code"] == "refund_exceeds_captured"
    assert by_customer.status_code == 403
    assert rest.status_code == 201, rest.text
    shown = await Picker(card_shop).order(order)
    assert (shown["payment"]["status"], shown["payment"]["amount_refunded"]) == (
        "refunded",
        "10.00",
    )
    reference = str((await stored(adapters, order["id"])).payment.reference)
    pi = await intent(localstripe, reference)
    charge = pi["latest_charge"]
    assert charge["amount_refunded"] == 1000
