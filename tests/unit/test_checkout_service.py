"""CheckoutService on the in-memory adapters: the order it places, refusals that leave
everything as it was, promo rules, Idempotency-Key replays and low-stock alerts."""

from __future__ import annotations

import copy
from decimal import Decimal
from typing import Any
from uuid import UUID, uuid4

import pytest

from grocery.core.errors import InsufficientStock, Invalid
from grocery.core.orders import Answer, Order, OrderStatus
from grocery.core.promotions import DiscountType, PromoRejected, PromoRejection
from grocery.core.services.checkout import CheckoutRequest
from tests.unit.orders_shop import NOW, Shop, answer_with_id

D = Decimal


@pytest.fixture
def shop() -> Shop:
    return Shop()


@pytest.fixture
def ann() -> UUID:
    return uuid4()


async def test_checkout_takes_stock_writes_the_order_and_empties_the_cart(
    shop: Shop, ann: UUID
) -> None:
    apples, milk = shop.product("1.25", stock=10), shop.product("0.99", stock=3)
    promo = shop.promo()
    shop.fill(ann, (apples, 4), (milk, 3), promo=promo)

    order = await shop.place(ann)

    assert (order.user_id, order.status, order.currency) == (ann, OrderStatus.PLACED, "EUR")
    assert [(line.product_id, line.quantity) for line in order.lines] == [
        (apples.id, 4),
        (milk.id, 3),
    ]
    assert (order.subtotal, order.discount, order.total) == (D("7.97"), D("0.80"), D("7.17"))
    assert (order.promo_code_id, order.promo_code) == (promo.id, "SAVE10")
    assert [(shop.stored(p).stock, shop.stored(p).units_sold) for p in (apples, milk)] == [
        (6, 4),
        (0, 3),
    ]
    assert shop.cart(ann) == {}
    assert ann not in shop.store.carts.applied_promos
    assert shop.times_used(promo) == 1
    assert shop.store.promotions.redemptions[promo.id, ann] == 1


async def test_the_answer_is_what_render_made_of_the_order(shop: Shop, ann: UUID) -> None:
    shop.fill(ann, (shop.product(), 1))
    rendered: list[Order] = []

    def render(order: Order) -> Answer:
        rendered.append(order)
        return Answer(status=201, body=b'{"made":"here"}')

    answer = await shop.checkout.place_order(CheckoutRequest(user_id=ann), render)

    assert (answer.status, answer.body, answer.replayed) == (201, b'{"made":"here"}', False)
    assert list(shop.store.orders.orders.values()) == rendered


async def test_an_empty_cart_is_refused(shop: Shop, ann: UUID) -> None:
    with pytest.raises(Invalid) as refused:
        await shop.checkout.place_order(CheckoutRequest(user_id=ann), answer_with_id)
    assert refused.value.code == "cart_empty"


async def test_short_stock_names_each_short_line_and_leaves_everything_unchanged(
    shop: Shop, ann: UUID
) -> None:
    plenty, short, archived = shop.product(stock=10), shop.product(stock=2), shop.product()
    promo = shop.promo()
    shop.fill(ann, (plenty, 5), (short, 3), (archived, 1), promo=promo)
    shop.change(archived, archived=True)
    before = copy.deepcopy(shop.store)

    with pytest.raises(InsufficientStock) as refused:
        await shop.checkout.place_order(CheckoutRequest(user_id=ann), answer_with_id)

    named = {error["product_id"]: error for error in refused.value.errors}
    assert set(named) == {str(short.id), str(archived.id)}
    assert (named[str(short.id)]["requested"], named[str(short.id)]["available"]) == (3, 2)
    assert (named[str(archived.id)]["requested"], named[str(archived.id)]["available"]) == (1, 0)
    assert shop.store == before


@pytest.mark.parametrize(
    ("terms", "reason"),
    [
        ({"is_active": False}, PromoRejection.INACTIVE),
        ({"expires_at": NOW}, PromoRejection.EXPIRED),
        ({"min_order_amount": D("50.00")}, PromoRejection.MIN_ORDER_NOT_MET),
        ({"category_ids": frozenset({uuid4()})}, PromoRejection.NOT_APPLICABLE),
        ({"max_uses": 2, "times_used": 2}, PromoRejection.USAGE_LIMIT_REACHED),
    ],
)
async def test_an_unusable_code_is_refused_with_its_reason_and_changes_nothing(
    shop: Shop, ann: UUID, terms: dict[str, Any], reason: PromoRejection
) -> None:
    promo = shop.promo(**terms)
    shop.fill(ann, (shop.product(stock=5), 2), promo=promo)
    before = copy.deepcopy(shop.store)

    with pytest.raises(PromoRejected) as refused:
        await shop.checkout.place_order(CheckoutRequest(user_id=ann), answer_with_id)

    assert refused.value.reason is reason
    assert shop.store == before


async def test_an_unknown_code_sent_with_checkout_is_not_found(shop: Shop, ann: UUID) -> None:
    shop.fill(ann, (shop.product(), 1))
    with pytest.raises(PromoRejected) as refused:
        await shop.checkout.place_order(
            CheckoutRequest(user_id=ann, promo_code="NOPE"), answer_with_id
        )
    assert refused.value.reason is PromoRejection.NOT_FOUND


async def test_a_code_sent_with_checkout_wins_over_the_carts(shop: Shop, ann: UUID) -> None:
    saved = shop.promo("SAVED")
    sent = shop.promo("HALF", discount_type=DiscountType.PERCENT, value=D("50"))
    shop.fill(ann, (shop.product("10.00"), 1), promo=saved)

    order = await shop.place(ann, promo_code=" half ")

    assert (order.promo_code, order.total) == ("HALF", D("5.00"))
    assert (shop.times_used(saved), shop.times_used(sent)) == (0, 1)


async def test_a_customer_limit_counts_their_earlier_redemptions(shop: Shop, ann: UUID) -> None:
    promo = shop.promo(max_uses_per_customer=2)
    apples = shop.product(stock=10)
    for _ in range(2):
        await shop.place(ann, (apples, 1), promo_code="SAVE10")
    shop.fill(ann, (apples, 1))
    before = copy.deepcopy(shop.store)

    with pytest.raises(PromoRejected) as refused:
        await shop.checkout.place_order(
            CheckoutRequest(user_id=ann, promo_code="SAVE10"), answer_with_id
        )

    assert refused.value.reason is PromoRejection.CUSTOMER_LIMIT_REACHED
    assert shop.store == before
    other = await shop.place(uuid4(), (apples, 1), promo_code="SAVE10")
    assert other.promo_code_id == promo.id


async def test_the_last_use_of_a_code_is_taken_by_one_checkout(shop: Shop, ann: UUID) -> None:
    promo = shop.promo(max_uses=1)
    apples = shop.product(stock=10)
    await shop.place(ann, (apples, 1), promo_code="SAVE10")
    shop.fill(ann, (apples, 1))

    with pytest.raises(PromoRejected) as refused:
        await shop.checkout.place_order(
            CheckoutRequest(user_id=ann, promo_code="SAVE10"), answer_with_id
        )

    assert refused.value.reason is PromoRejection.USAGE_LIMIT_REACHED
    assert shop.times_used(promo) == 1


# --- Idempotency-Key ----------------------------------------------------------


async def test_a_key_sent_again_replays_the_answer_without_a_second_order(
    shop: Shop, ann: UUID
) -> None:
    apples = shop.product(stock=10)
    shop.fill(ann, (apples, 2))
    request = CheckoutRequest(user_id=ann, idempotency_key="k1")

    first = await shop.checkout.place_order(request, answer_with_id)
    shop.fill(ann, (apples, 2))  # even with a full cart again
    again = await shop.checkout.place_order(request, answer_with_id)

    assert (again.body, again.status, again.replayed) == (first.body, first.status, True)
    assert len(shop.store.orders.orders) == 1
    assert shop.stored(apples).stock == 8


async def test_a_key_sent_with_another_request_is_refused(shop: Shop, ann: UUID) -> None:
    shop.promo()
    apples = shop.product(stock=10)
    shop.fill(ann, (apples, 1))
    await shop.checkout.place_order(
        CheckoutRequest(user_id=ann, idempotency_key="k"), answer_with_id
    )
    shop.fill(ann, (apples, 1))

    with pytest.raises(Invalid) as refused:
        await shop.checkout.place_order(
            CheckoutRequest(user_id=ann, idempotency_key="k", promo_code="SAVE10"), answer_with_id
        )

    assert refused.value.code == "idempotency_key_mismatch"


async def test_a_refused_checkout_keeps_nothing_under_its_key(shop: Shop, ann: UUID) -> None:
    apples = shop.product(stock=1)
    shop.fill(ann, (apples, 2))
    request = CheckoutRequest(user_id=ann, idempotency_key="retry")
    with pytest.raises(InsufficientStock):
        await shop.checkout.place_order(request, answer_with_id)

    shop.change(apples, stock=5)
    answer = await shop.checkout.place_order(request, answer_with_id)

    assert not answer.replayed
    assert shop.store.idempotency.keys[ann, "retry"][1] == answer


# --- low-stock alerts ---------------------------------------------------------


async def test_a_sale_below_the_threshold_opens_an_alert_and_an_outbox_message(
    shop: Shop, ann: UUID
) -> None:
    crossing, above = shop.product(stock=10, threshold=10), shop.product(stock=20, threshold=10)

    await shop.place(ann, (crossing, 1), (above, 10))

    [alert] = shop.store.alerts.alerts.values()
    assert (alert.product_id, alert.stock, alert.threshold) == (crossing.id, 9, 10)
    assert shop.store.alerts.announced == [alert.id]
    [message] = shop.store.outbox.messages.values()
    assert (message.kind, message.idempotency_key) == ("stock.low", str(alert.id))
    assert message.payload["product"] == {"id": str(crossing.id), "name": crossing.name}


async def test_a_checkout_that_fails_late_leaves_no_alert(shop: Shop, ann: UUID) -> None:
    shop.fill(ann, (shop.product(stock=10, threshold=10), 5))

    def broken(order: Order) -> Answer:
        raise RuntimeError("rendering failed")

    with pytest.raises(RuntimeError):
        await shop.checkout.place_order(CheckoutRequest(user_id=ann), broken)

    store = shop.store
    kept = (store.alerts.alerts, store.alerts.announced, store.outbox.messages, store.orders.orders)
    assert kept == ({}, [], {}, {})
