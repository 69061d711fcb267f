"""A cancelled order's void or refund Stripe refuses, against localstripe (a second
localstripe plays a Stripe account that has never heard of the shop's intents, so it refuses
them: 404, not a passing fault): the payment ends `failed` at once, is counted and never
tried again; the back office says what is left to settle; a manager may refund what a
failed payment took again (201 when Stripe gives it back, 409 `refund_refused` when it
refuses once more, nothing recorded)."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Iterator
from dataclasses import replace
from datetime import timedelta
from decimal import Decimal
from uuid import UUID, uuid4

import pytest

from grocery.adapters.payments.gateways import make_gateways
from grocery.adapters.sql.uow import SqlUnitOfWork
from grocery.config import Settings
from grocery.entrypoints.wiring import Adapters
from grocery.entrypoints.worker import payment_sweep
from tests.integration.back_office.conftest import sign_in
from tests.integration.card_shop import VISA, card_settings, intent, pay, served, stripe_post
from tests.integration.catalog_shop import Client, Json, assert_problem
from tests.integration.checkout_shop import Shop
from tests.integration.conftest import SignedInUser, make_settings
from tests.integration.picking_shop import Picker
from tests.integration.stripe_server import intent_event, running_localstripe
from tests.integration.test_metrics import TOKEN, Samples, scrape, value
from tests.integration.test_payments_stripe_api import stored
from tests.integration.test_payments_webhooks_api import send
from tests.integration.test_tokens_api import ShiftedClock


@pytest.fixture(scope="module")
def another_account(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A Stripe account that knows none of the shop's PaymentIntents."""
    with running_localstripe(tmp_path_factory.mktemp("another")) as url:
        yield url


@pytest.fixture
async def refusing(settings: Settings, another_account: str) -> AsyncIterator[Client]:
    """The shop, metered, talking to the account that refuses everything about its orders."""
    metered = make_settings(str(settings.database_url), metrics=True, metrics_token=TOKEN)
    async for client in served(card_settings(metered, another_account)):
        yield client


def _gained(before: Samples, after: Samples, outcome: str) -> float:
    name, labels = "grocery_payments_total", {"provider": "stripe", "outcome": outcome}
    return value(after, name, **labels) - value(before, name, **labels)


async def _cancel(client: Client, shop: Shop, order: Json) -> Json:
    cancelled = await client.post(f"/api/orders/{order['id']}/cancel", headers=shop.manager.headers)
    assert cancelled.status_code == 200, cancelled.text
    return dict(cancelled.json())


async def _office_page(client: Client, staff: SignedInUser, order: Json) -> str:
    assert (await sign_in(client, staff.username, staff.password)).status_code == 303
    page = await client.get(f"/admin/orders/{order['id']}")
    client.cookies.clear()
    assert page.status_code == 200, page.text
    return page.text


async def test_a_void_stripe_refuses_fails_the_payment_and_is_not_tried_again(
    settings: Settings,
    card_shop: Shop,
    ann: SignedInUser,
    adapters: Adapters,
    localstripe: str,
    refusing: Client,
) -> None:
    answer = await pay(card_shop, ann, VISA, (await card_shop.product(price="2.00"), 2))
    order = dict(answer.json())
    before = await scrape(refusing)

    cancelled = await _cancel(refusing, card_shop, order)
    after = await scrape(refusing)
    shop = card_settings(settings, localstripe)  # Stripe would void it, if it were asked
    later = replace(adapters, clock=ShiftedClock(timedelta(hours=3)), gateways=make_gateways(shop))
    await payment_sweep(shop, later).follow_up()

    payment = cancelled["payment"]
    assert (cancelled["status"], payment["status"], payment["amount_authorized"]) == (
        "cancelled",
        "failed",
        "4.00",
    )
    assert _gained(before, after, "void_refused") == 1
    stored_payment = (await stored(adapters, order["id"])).payment
    assert (stored_payment.status, stored_payment.retry_at) == ("failed", None)
    reference = str(stored_payment.reference)
    assert (await intent(localstripe, reference))["status"] == "requires_capture"  # untouched
    page = await _office_page(refusing, card_shop.manager, order)
    assert re.search(r'id="payment">failed<', page)
    assert "hold of 4.00 USD could not be released" in page
    assert f'action="/admin/orders/{order["id"]}/refunds"' not in page  # nothing was taken
    nothing = await card_shop.client.post(
        f"/api/orders/{order['id']}/refunds",
        json={"amount": "4.00", "reason": "cancelled"},
        headers=card_shop.manager.headers,
    )
    assert_problem(nothing, 409, "refund_exceeds_captured")


async def test_a_hold_stripe_would_not_release_is_voided_once_stripe_says_it_is_gone(
    card_shop: Shop, ann: SignedInUser, adapters: Adapters, localstripe: str, refusing: Client
) -> None:
    answer = await pay(card_shop, ann, VISA, (await card_shop.product(price="2.00"), 2))
    order = dict(answer.json())
    assert (await _cancel(refusing, card_shop, order))["payment"]["status"] == "failed"
    reference = str((await stored(adapters, order["id"])).payment.reference)
    # Released at Stripe after all (by hand in its dashboard, or the hold expired).
    gone = await stripe_post(localstripe, f"/v1/payment_intents/{reference}/cancel")
    event = intent_event(f"evt_{uuid4().hex}", "payment_intent.canceled", gone)

    assert (await send(card_shop.client, event)).status_code == 200

    payment = (await stored(adapters, order["id"])).payment
    assert (payment.status, payment.amount_authorized, payment.amount_captured) == (
        "voided",
        Decimal("4.00"),
        0,
    )


async def _failed_after_capture(card_shop: Shop, ann: SignedInUser, refusing: Client) -> Json:
    """An order picked (6.00 captured), then cancelled while Stripe refuses its refund."""
    answer = await pay(card_shop, ann, VISA, (await card_shop.product(price="2.00"), 3))
    order = dict(answer.json())
    picker = Picker(card_shop)
    await picker.start(order)
    await picker.pick(order, 0, picked_quantity=3)
    await picker.complete(order)
    return await _cancel(refusing, card_shop, order)


async def test_a_manager_may_refund_again_what_a_refused_refund_left(
    card_shop: Shop,
    ann: SignedInUser,
    adapters: Adapters,
    localstripe: str,
    refusing: Client,
) -> None:
    before = await scrape(refusing)
    order = await _failed_after_capture(card_shop, ann, refusing)
    refunds = f"/api/orders/{order['id']}/refunds"
    body = {"amount": "6.00", "reason": "The order was cancelled."}

    page = await _office_page(refusing, card_shop.manager, order)
    refused_again = await refusing.post(refunds, json=body, headers=card_shop.manager.headers)
    after = await scrape(refusing)
    failed = await stored(adapters, order["id"])
    given = await card_shop.client.post(refunds, json=body, headers=card_shop.manager.headers)

    assert (order["status"], order["payment"]["status"]) == ("cancelled", "failed")
    assert "6.00 USD taken and not given back" in page
    assert f'action="/admin/orders/{order["id"]}/refunds"' in page
    assert_problem(refused_again, 409, "refund_refused")
    assert (failed.payment.status, failed.payment.amount_refunded) == ("failed", 0)
    assert [_gained(before, after, o) for o in ("refund_refused", "refunded")] == [2, 0]
    assert given.status_code == 201, given.text
    payment = (await stored(adapters, order["id"])).payment
    assert (payment.status, str(payment.amount_refunded)) == ("refunded", "6.00")
    charge = (await intent(localstripe, str(payment.reference)))["latest_charge"]
    assert charge["amount_refunded"] == 600
    async with SqlUnitOfWork(adapters.database) as uow:
        recorded = await uow.payments.refunds(UUID(order["id"]))
    assert [str(refund.amount) for refund in recorded] == ["6.00"]  # the one Stripe gave
