"""The manual provider over HTTP, end to end: an order is placed pending, delivered and so
captured for its final total, then refunded in part and in full by a manager (the customer
mailed each time), never above the capture; customers may not refund."""

from __future__ import annotations

from typing import Any

from tests.integration.checkout_shop import Shop
from tests.integration.conftest import SignedInUser
from tests.integration.mailroom import Mailroom

PENDING = {
    "provider": "manual",
    "status": "pending",
    "amount_authorized": "0.00",
    "amount_captured": "0.00",
    "amount_refunded": "0.00",
}


async def _delivered(shop: Shop, user: SignedInUser, *lines: tuple[Any, int]) -> dict[str, Any]:
    order = await shop.placed(user, *lines)
    assert order["payment"] == PENDING
    for status in ("processing", "shipped", "delivered"):
        moved = await shop.client.patch(
            f"/api/orders/{order['id']}", json={"status": status}, headers=shop.manager.headers
        )
        assert moved.status_code == 200, moved.text
    delivered: dict[str, Any] = moved.json()
    return delivered


async def _refund(shop: Shop, order: dict[str, Any], amount: str, headers: Any = None) -> Any:
    return await shop.client.post(
        f"/api/orders/{order['id']}/refunds",
        json={"amount": amount, "reason": "bruised apples"},
        headers=headers or shop.manager.headers,
    )


async def test_a_manual_order_is_captured_on_delivery_and_refunded_to_the_last_cent(
    shop: Shop, ann: SignedInUser, mailroom: Mailroom
) -> None:
    apples = await shop.product(price="2.50", stock=10)
    order = await _delivered(shop, ann, (apples, 4))

    assert order["payment"] == {**PENDING, "status": "captured", "amount_captured": "10.00"}

    part = await _refund(shop, order, "2.50")
    too_much = await _refund(shop, order, "7.51")
    rest = await _refund(shop, order, "7.50")
    after_all = await _refund(shop, order, "0.01")

    assert part.status_code == 201, part.text
    assert part.json()["amount"] == "2.50" and part.json()["reason"] == "bruised apples"
    assert set(part.json()) == {"id", "amount", "reason", "created_at"}
    assert too_much.status_code == 409 and too_much.json()["code"] == "refund_exceeds_captured"
    assert rest.status_code == 201, rest.text
    assert after_all.status_code == 409
    shown = (await shop.client.get(f"/api/orders/{order['id']}", headers=ann.headers)).json()
    assert shown["payment"] == {
        **PENDING,
        "status": "refunded",
        "amount_captured": "10.00",
        "amount_refunded": "10.00",
    }
    # placed, shipped, then one mail per refund given
    mails = await mailroom.wait_for(ann.email, count=4)
    refunds = [mail for mail in mails if "refund" in mail.message["Subject"]]
    assert [
        mail.part("text/plain").count(amount)
        for mail, amount in zip(refunds, ("2.50 USD", "7.50 USD"), strict=True)
    ] == [1, 1]
    await mailroom.exactly(ann.email, 4)


async def test_a_manual_order_is_not_refunded_before_delivery_nor_by_a_customer(
    shop: Shop, ann: SignedInUser
) -> None:
    apples = await shop.product(price="2.50", stock=10)
    placed = await shop.placed(ann, (apples, 1))
    delivered = await _delivered(shop, ann, (apples, 1))

    early = await _refund(shop, placed, "1.00")
    by_customer = await _refund(shop, delivered, "1.00", headers=ann.headers)
    nothing = await _refund(shop, delivered, "0.00")
    unknown = await shop.client.post(
        "/api/orders/00000000-0000-7000-8000-000000000000/refunds",
        json={"amount": "1.00", "reason": "x"},
        headers=shop.manager.headers,
    )

    assert early.status_code == 409 and early.json()["code"] == "refund_exceeds_captured"
    assert by_customer.status_code == 403
    assert nothing.status_code == 422
    assert unknown.status_code == 404
    shown = (await shop.client.get(f"/api/orders/{delivered['id']}", headers=ann.headers)).json()
    assert shown["payment"]["amount_refunded"] == "0.00"


async def test_cancelling_a_manual_order_voids_its_payment(shop: Shop, ann: SignedInUser) -> None:
    order = await shop.placed(ann, (await shop.product(stock=5), 1))

    cancelled = await shop.client.post(f"/api/orders/{order['id']}/cancel", headers=ann.headers)

    assert cancelled.status_code == 200
    assert cancelled.json()["payment"] == {**PENDING, "status": "voided"}
