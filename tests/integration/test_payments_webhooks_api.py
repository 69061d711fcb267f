"""Stripe's webhooks and the payment worker, against localstripe: a card the customer
confirms at Stripe is authorized by the signed event that says so; an event sent again, or
overtaken by a later one, changes nothing; a forged or stale signature is refused; the same
event sent many times at once is applied once; an order left unauthorized past the timeout
is cancelled; a card that failed at Stripe cancels its order awaiting payment, once; a
capture that failed while Stripe was out of reach is made later."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import replace
from datetime import timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any
from uuid import uuid4

import httpx
from sqlalchemy import func, select, text

from grocery.adapters.payments.gateways import PaymentGateways, make_gateways
from grocery.adapters.sql.schema.payments import payment_events
from grocery.config import Settings
from grocery.core.services.payment_sweep import PaymentSweep
from grocery.entrypoints.wiring import Adapters
from grocery.entrypoints.worker import payment_sweep
from tests.integration.card_shop import (
    DECLINED,
    VISA,
    card_settings,
    intent,
    pay,
    served,
    stripe_post,
)
from tests.integration.catalog_shop import Client, Json
from tests.integration.checkout_shop import Shop
from tests.integration.conftest import SignedInUser, app_in_this_loop, free_port
from tests.integration.picking_shop import Picker
from tests.integration.stripe_server import (
    SECRET_KEY,
    intent_event,
    running_localstripe,
    signed,
)
from tests.integration.test_payments_stripe_api import stored
from tests.integration.test_tokens_api import ShiftedClock

WEBHOOK = "/api/payments/stripe/webhook"


async def send(client: Any, event: dict[str, Any], **signing: Any) -> Any:
    payload, signature = signed(event, **signing)
    headers = {"Stripe-Signature": signature, "Content-Type": "application/json"}
    return await client.post(WEBHOOK, content=payload, headers=headers)


async def waiting(shop: Shop, user: SignedInUser, adapters: Adapters) -> tuple[Json, str]:
    """An order placed without a card, and its PaymentIntent's id."""
    answer = await pay(shop, user, None, (await shop.product(price="3.00", stock=5), 2))
    assert answer.status_code == 201, answer.text
    order = dict(answer.json())
    assert order["payment"]["status"] == "requires_action"
    return order, str((await stored(adapters, order["id"])).payment.reference)


async def confirmed_at_stripe(api_base: str, reference: str) -> dict[str, Any]:
    """What Stripe.js does in the customer's browser: the card attached, the intent confirmed."""
    await stripe_post(api_base, f"/v1/payment_intents/{reference}", {"payment_method": VISA})
    return await stripe_post(api_base, f"/v1/payment_intents/{reference}/confirm")


async def _payment(client: Client, user: SignedInUser, order: Json) -> Json:
    shown = await client.get(f"/api/orders/{order['id']}", headers=user.headers)
    return dict(shown.json()["payment"])


async def test_a_signed_event_authorizes_the_card_the_customer_confirmed(
    card_shop: Shop, ann: SignedInUser, adapters: Adapters, localstripe: str
) -> None:
    order, reference = await waiting(card_shop, ann, adapters)
    confirmed = await confirmed_at_stripe(localstripe, reference)
    assert confirmed["status"] == "requires_capture"

    event = intent_event(
        f"evt_{uuid4().hex}", "payment_intent.amount_capturable_updated", confirmed
    )
    answer = await send(card_shop.client, event)

    assert answer.status_code == 200, answer.text
    payment = await _payment(card_shop.client, ann, order)
    assert (payment["status"], payment["amount_authorized"]) == ("authorized", "6.00")
    assert "client_secret" not in payment


async def test_a_replayed_or_overtaken_event_changes_nothing(
    card_shop: Shop, ann: SignedInUser, adapters: Adapters, localstripe: str
) -> None:
    order, reference = await waiting(card_shop, ann, adapters)
    authorized = await confirmed_at_stripe(localstripe, reference)
    first = intent_event(
        f"evt_{uuid4().hex}", "payment_intent.amount_capturable_updated", authorized
    )
    await send(card_shop.client, first)
    picker = Picker(card_shop)
    await picker.start(order)
    await picker.pick(order, 0, picked_quantity=1)
    await picker.complete(order)  # captures 3.00
    captured = await _payment(card_shop.client, ann, order)
    before = await stored(adapters, order["id"])

    replayed = await send(card_shop.client, first)
    # Stripe sends the older news again under a new id, after the capture.
    late = intent_event(
        f"evt_{uuid4().hex}", "payment_intent.amount_capturable_updated", authorized
    )
    overtaken = await send(card_shop.client, late)

    assert (replayed.status_code, overtaken.status_code) == (200, 200)
    assert captured["status"] == "captured" and captured["amount_captured"] == "3.00"
    assert await _payment(card_shop.client, ann, order) == captured
    assert await stored(adapters, order["id"]) == before


async def test_a_forged_or_stale_signature_is_refused(
    card_shop: Shop, ann: SignedInUser, adapters: Adapters, localstripe: str
) -> None:
    order, reference = await waiting(card_shop, ann, adapters)
    authorized = await confirmed_at_stripe(localstripe, reference)
    event = intent_event(
        f"evt_{uuid4().hex}", "payment_intent.amount_capturable_updated", authorized
    )

    forged = await send(card_shop.client, event, secret="whsec_someone_else")
    stale = await send(card_shop.client, event, at=int(time.time()) - 6 * 60)
    unsigned = await card_shop.client.post(WEBHOOK, json=event)

    for answer in (forged, stale, unsigned):
        assert answer.status_code == 400, answer.text
        assert answer.json()["code"] == "invalid_signature"
    assert (await _payment(card_shop.client, ann, order))["status"] == "requires_action"
    # Refused events were not noted as applied: the genuine one still counts.
    assert (await send(card_shop.client, event)).status_code == 200
    assert (await _payment(card_shop.client, ann, order))["status"] == "authorized"


async def test_the_same_event_sent_at_once_many_times_is_applied_once(
    settings: Settings, card_shop: Shop, ann: SignedInUser, adapters: Adapters, localstripe: str
) -> None:
    order, reference = await waiting(card_shop, ann, adapters)
    authorized = await confirmed_at_stripe(localstripe, reference)
    event_id = f"evt_{uuid4().hex}"
    event = intent_event(event_id, "payment_intent.amount_capturable_updated", authorized)

    async with app_in_this_loop(card_settings(settings, localstripe, db_pool_size=8)) as client:
        answers = await asyncio.gather(*(send(client, event) for _ in range(8)))

    assert [answer.status_code for answer in answers] == [200] * 8
    async with adapters.database.engine.connect() as connection:
        count = select(func.count()).where(payment_events.c.id == event_id)
        assert (await connection.execute(count)).scalar_one() == 1
    assert (await _payment(card_shop.client, ann, order))["status"] == "authorized"


async def test_an_order_not_authorized_in_time_is_cancelled_and_its_stock_freed(
    settings: Settings, card_shop: Shop, ann: SignedInUser, adapters: Adapters, localstripe: str
) -> None:
    order, reference = await waiting(card_shop, ann, adapters)
    product_id = order["items"][0]["product_id"]
    later = replace(adapters, clock=ShiftedClock(timedelta(minutes=31)))
    stripe_settings = card_settings(settings, localstripe)
    sweep = payment_sweep(stripe_settings, replace(later, gateways=_gateways(stripe_settings)))

    await payment_sweep(
        stripe_settings, replace(adapters, gateways=_gateways(stripe_settings))
    ).follow_up()
    assert (await _payment(card_shop.client, ann, order))["status"] == "requires_action"
    await sweep.follow_up()

    shown = (await card_shop.client.get(f"/api/orders/{order['id']}", headers=ann.headers)).json()
    assert (shown["status"], shown["payment"]["status"]) == ("cancelled", "voided")
    product = (await card_shop.client.get(f"/api/products/{product_id}")).json()
    assert product["stock"] == 5
    assert (await intent(localstripe, reference))["status"] == "canceled"


async def failed_at_stripe(api_base: str, reference: str) -> dict[str, Any]:
    """The customer's card declined in their browser: the intent waits for another card."""
    await stripe_post(api_base, f"/v1/payment_intents/{reference}", {"payment_method": DECLINED})
    async with httpx.AsyncClient(base_url=api_base, auth=(SECRET_KEY, "")) as stripe:
        declined = await stripe.post(f"/v1/payment_intents/{reference}/confirm")
    assert declined.status_code == 402, declined.text
    return await intent(api_base, reference)


async def test_a_card_that_failed_cancels_its_order_once_and_frees_what_it_held(
    card_shop: Shop, ann: SignedInUser, adapters: Adapters, localstripe: str
) -> None:
    code = await card_shop.promo(value="1", max_uses=1)
    apples = await card_shop.product(price="3.00", stock=5)
    await card_shop.fill(ann, (apples, 2))
    await card_shop.apply(ann, code)
    answer = await pay(card_shop, ann, None)
    order = dict(answer.json())
    reference = str((await stored(adapters, order["id"])).payment.reference)
    failed = await failed_at_stripe(localstripe, reference)
    assert failed["status"] == "requires_payment_method"
    event = intent_event(f"evt_{uuid4().hex}", "payment_intent.payment_failed", failed)

    first = await send(card_shop.client, event)
    after_first = await stored(adapters, order["id"])
    again = await send(card_shop.client, event)
    # The customer tries again: the freed units and the code are theirs to use.
    await card_shop.fill(ann, (apples, 5))
    await card_shop.apply(ann, code)
    retried = await pay(card_shop, ann, VISA)

    assert (first.status_code, again.status_code) == (200, 200)
    shown = (await card_shop.client.get(f"/api/orders/{order['id']}", headers=ann.headers)).json()
    assert (shown["status"], shown["payment"]["status"]) == ("cancelled", "voided")
    assert await stored(adapters, order["id"]) == after_first
    assert (await intent(localstripe, reference))["status"] == "canceled"
    assert retried.status_code == 201, retried.text
    assert (retried.json()["items"][0]["quantity"], retried.json()["promo_code"]) == (
        5,
        code["code"],
    )


async def test_failures_of_one_card_sent_at_once_cancel_its_order_once(
    settings: Settings, card_shop: Shop, ann: SignedInUser, adapters: Adapters, localstripe: str
) -> None:
    order, reference = await waiting(card_shop, ann, adapters)  # 2 of 5 taken
    product_id = order["items"][0]["product_id"]
    failed = await failed_at_stripe(localstripe, reference)
    same = intent_event(f"evt_{uuid4().hex}", "payment_intent.payment_failed", failed)
    # Stripe's retries of one event, and a second failure under its own id, all at once.
    events = [same] * 6 + [
        intent_event(f"evt_{uuid4().hex}", "payment_intent.payment_failed", failed)
        for _ in range(2)
    ]

    async with app_in_this_loop(card_settings(settings, localstripe, db_pool_size=8)) as client:
        answers = await asyncio.gather(*(send(client, event) for event in events))

    assert [answer.status_code for answer in answers] == [200] * 8
    shown = (await card_shop.client.get(f"/api/orders/{order['id']}", headers=ann.headers)).json()
    assert (shown["status"], shown["payment"]["status"]) == ("cancelled", "voided")
    product = (await card_shop.client.get(f"/api/products/{product_id}")).json()
    assert product["stock"] == 5  # put back once, not once per event
    ledger = await card_shop.client.get(
        f"/api/products/{product_id}/stock-movements", headers=card_shop.manager.headers
    )
    kinds = [move["kind"] for move in ledger.json()["items"]]
    assert kinds.count("cancellation") == 1
    async with adapters.database.engine.connect() as connection:
        count = select(func.count()).where(payment_events.c.id == same["id"])
        assert (await connection.execute(count)).scalar_one() == 1


async def test_a_failed_card_event_leaves_an_authorized_order_alone(
    card_shop: Shop, ann: SignedInUser, adapters: Adapters, localstripe: str
) -> None:
    order, reference = await waiting(card_shop, ann, adapters)
    authorized = await confirmed_at_stripe(localstripe, reference)
    await send(
        card_shop.client,
        intent_event(f"evt_{uuid4().hex}", "payment_intent.amount_capturable_updated", authorized),
    )

    # An older failure delivered after the authorization changes nothing.
    late = intent_event(f"evt_{uuid4().hex}", "payment_intent.payment_failed", authorized)
    answer = await send(card_shop.client, late)

    assert answer.status_code == 200, answer.text
    shown = (await card_shop.client.get(f"/api/orders/{order['id']}", headers=ann.headers)).json()
    assert (shown["status"], shown["payment"]["status"]) == ("placed", "authorized")


@asynccontextmanager
async def _authorizations_refused_for(
    adapters: Adapters, user: SignedInUser
) -> AsyncIterator[None]:
    """PostgreSQL refuses to record an authorization on the user's orders: the write after
    Stripe has held the money fails, as it would when the database goes away just then."""
    async with adapters.database.engine.begin() as connection:
        await connection.execute(
            text(
                "CREATE FUNCTION refuse_authorized() RETURNS trigger LANGUAGE plpgsql AS"
                " $$ BEGIN RAISE EXCEPTION 'the database went away'; END $$"
            )
        )
        await connection.execute(
            text(
                "CREATE TRIGGER refuse_authorized BEFORE UPDATE ON orders FOR EACH ROW"
                " WHEN (NEW.payment_status = 'authorized'"
                f" AND NEW.user_id = '{user.id}'::uuid) EXECUTE FUNCTION refuse_authorized()"
            )
        )
    try:
        yield
    finally:
        async with adapters.database.engine.begin() as connection:
            await connection.execute(text("DROP TRIGGER refuse_authorized ON orders"))
            await connection.execute(text("DROP FUNCTION refuse_authorized()"))


async def test_money_held_when_recording_it_failed_is_voided_by_the_timeout(
    settings: Settings, card_shop: Shop, ann: SignedInUser, adapters: Adapters, localstripe: str
) -> None:
    apples = await card_shop.product(price="3.00", stock=5)
    async with _authorizations_refused_for(adapters, ann):
        answer = await pay(card_shop, ann, VISA, (apples, 2))
    assert answer.status_code >= 500, answer.text
    (order,) = await card_shop.orders_of(ann)
    reference = str((await stored(adapters, order["id"])).payment.reference)
    assert (await intent(localstripe, reference))["status"] == "requires_capture"  # held
    later = replace(adapters, clock=ShiftedClock(timedelta(minutes=31)))
    stripe_settings = card_settings(settings, localstripe)

    await payment_sweep(
        stripe_settings, replace(later, gateways=_gateways(stripe_settings))
    ).follow_up()

    shown = (await card_shop.client.get(f"/api/orders/{order['id']}", headers=ann.headers)).json()
    assert (shown["status"], shown["payment"]["status"]) == ("cancelled", "voided")
    assert (await intent(localstripe, reference))["status"] == "canceled"
    assert (await card_shop.client.get(f"/api/products/{apples['id']}")).json()["stock"] == 5


async def test_a_capture_that_failed_while_stripe_was_away_is_made_later(
    settings: Settings, card_shop: Shop, ann: SignedInUser, adapters: Adapters, localstripe: str
) -> None:
    answer = await pay(card_shop, ann, VISA, (await card_shop.product(price="2.00"), 3))
    order = dict(answer.json())
    away = f"http://127.0.0.1:{free_port()}"
    async for client in served(card_settings(settings, away)):
        picker = Picker(card_shop, client)
        await picker.start(order)
        await picker.pick(order, 0, picked_quantity=2)
        done = await picker.complete(order)
    assert (done["status"], done["payment"]["status"]) == ("processing", "authorized")

    stripe_settings = card_settings(settings, localstripe)
    gateways = _gateways(stripe_settings)
    await payment_sweep(stripe_settings, replace(adapters, gateways=gateways)).follow_up()
    waiting = await _payment(card_shop.client, ann, order)  # not before its back-off is over
    later = replace(adapters, clock=ShiftedClock(timedelta(minutes=1)), gateways=gateways)
    await payment_sweep(stripe_settings, later).follow_up()

    payment = await _payment(card_shop.client, ann, order)
    assert waiting["status"] == "authorized"
    assert (payment["status"], payment["amount_captured"]) == ("captured", "4.00")


async def test_a_refund_stripe_refuses_fails_the_payment_and_one_it_cannot_answer_waits(
    settings: Settings,
    card_shop: Shop,
    ann: SignedInUser,
    adapters: Adapters,
    localstripe: str,
    tmp_path: Path,
) -> None:
    answer = await pay(card_shop, ann, VISA, (await card_shop.product(price="2.00"), 3))
    order = dict(answer.json())
    picker = Picker(card_shop)
    await picker.start(order)
    await picker.pick(order, 0, picked_quantity=3)
    await picker.complete(order)  # 6.00 captured
    away = card_settings(settings, f"http://127.0.0.1:{free_port()}")
    async for client in served(away):
        cancelled = await client.post(
            f"/api/orders/{order['id']}/cancel", headers=card_shop.manager.headers
        )
    assert cancelled.status_code == 200, cancelled.text
    tried = (await stored(adapters, order["id"])).payment
    assert (tried.status, tried.tries) == ("captured", 1)  # Stripe away: tried again later

    def sweep(base: str, after: timedelta) -> PaymentSweep:
        shop = card_settings(settings, base)
        clock = ShiftedClock(after)
        return payment_sweep(shop, replace(adapters, clock=clock, gateways=_gateways(shop)))

    await sweep(localstripe, timedelta(0)).follow_up()  # its wait is not over
    waited = (await stored(adapters, order["id"])).payment
    await sweep(away.stripe_api_base or "", timedelta(minutes=1)).follow_up()
    waited_longer = (await stored(adapters, order["id"])).payment
    # Another Stripe account has never heard of the intent: it refuses the refund (404,
    # not a passing fault).
    with running_localstripe(tmp_path) as elsewhere:
        await sweep(elsewhere, timedelta(minutes=10)).follow_up()
    failed = (await stored(adapters, order["id"])).payment
    await sweep(localstripe, timedelta(hours=3)).follow_up()  # not tried again

    assert waited == tried
    assert waited_longer.tries == 2
    assert tried.retry_at and waited_longer.retry_at
    assert waited_longer.retry_at - tried.retry_at > timedelta(minutes=1)  # a longer wait
    assert (failed.status, failed.amount_captured, failed.amount_refunded) == (
        "failed",
        Decimal("6.00"),
        Decimal(0),
    )
    shown = await _payment(card_shop.client, ann, order)
    assert (shown["status"], shown["amount_captured"], shown["amount_refunded"]) == (
        "failed",
        "6.00",
        "0.00",
    )
    reference = str(failed.reference)
    assert (await intent(localstripe, reference))["latest_charge"]["amount_refunded"] == 0


def _gateways(settings: Settings) -> PaymentGateways:
    return make_gateways(settings)
