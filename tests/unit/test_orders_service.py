"""OrderService on the in-memory adapters: who sees which orders, steps, and cancellation
that puts stock, units sold and the promo use back exactly once."""

from __future__ import annotations

from uuid import uuid4

import pytest

from grocery.core.errors import Conflict, NotFound
from grocery.core.orders import OrderStatus
from tests.unit.orders_shop import Shop, customer, manager

S = OrderStatus


@pytest.fixture
def shop() -> Shop:
    return Shop()


async def test_customers_page_through_their_own_orders_newest_first(shop: Shop) -> None:
    ann, bob = customer(), customer()
    apples = shop.product(stock=50)
    anns = [(await shop.place(ann.user_id, (apples, 1))).id for _ in range(5)]
    await shop.place(bob.user_id, (apples, 1))

    seen, after = [], None
    while True:
        page = await shop.orders.page(ann, after=after, limit=2)
        seen += [order.id for order in page.orders]
        if page.last is None:
            break
        after = page.last

    assert seen == anns[::-1]


async def test_managers_see_all_orders_or_one_customers(shop: Shop) -> None:
    ann, bob, boss = customer(), customer(), manager()
    apples = shop.product(stock=50)
    anns = await shop.place(ann.user_id, (apples, 1))
    bobs = await shop.place(bob.user_id, (apples, 1))

    everyone = await shop.orders.page(boss, limit=10)
    only_bob = await shop.orders.page(boss, customer=bob.user_id, limit=10)
    ann_asking_for_bob = await shop.orders.page(ann, customer=bob.user_id, limit=10)

    assert [order.id for order in everyone.orders] == [bobs.id, anns.id]
    assert [order.id for order in only_bob.orders] == [bobs.id]
    assert ann_asking_for_bob.orders == []


async def test_an_order_is_not_found_for_other_customers(shop: Shop) -> None:
    ann, bob = customer(), customer()
    order = await shop.place(ann.user_id, (shop.product(), 1))

    assert (await shop.orders.get(ann, order.id)).id == order.id
    assert (await shop.orders.get(manager(), order.id)).id == order.id
    with pytest.raises(NotFound):
        await shop.orders.get(bob, order.id)
    with pytest.raises(NotFound):
        await shop.orders.get(ann, uuid4())


async def test_managers_step_orders_along_and_refuse_wrong_steps(shop: Shop) -> None:
    order = await shop.place(customer().user_id, (shop.product(), 1))

    for status in (S.PROCESSING, S.SHIPPED):
        assert (await shop.orders.step(order.id, status)).status is status
    with pytest.raises(Conflict) as refused:
        await shop.orders.step(order.id, S.PROCESSING)

    assert refused.value.code == "invalid_status_transition"
    assert shop.store.orders.orders[order.id].status is S.SHIPPED


async def test_cancelling_puts_stock_units_sold_and_the_promo_use_back(shop: Shop) -> None:
    ann = customer()
    apples, milk = shop.product(stock=10), shop.product(stock=5)
    promo = shop.promo(max_uses_per_customer=1)
    order = await shop.place(ann.user_id, (apples, 3), (milk, 5), promo_code="SAVE10")

    cancelled = await shop.orders.cancel(ann, order.id)

    assert cancelled.status is S.CANCELLED
    assert cancelled.cancelled_at is not None
    assert shop.store.orders.orders[order.id].status is S.CANCELLED
    assert [(shop.stored(p).stock, shop.stored(p).units_sold) for p in (apples, milk)] == [
        (10, 0),
        (5, 0),
    ]
    assert shop.times_used(promo) == 0
    again = await shop.place(ann.user_id, (apples, 1), promo_code="SAVE10")
    assert again.promo_code_id == promo.id


async def test_a_second_cancel_changes_nothing(shop: Shop) -> None:
    ann = customer()
    apples = shop.product(stock=10)
    order = await shop.place(ann.user_id, (apples, 4))
    first = await shop.orders.cancel(ann, order.id)

    second = await shop.orders.cancel(ann, order.id)

    assert second.status is S.CANCELLED
    assert second.cancelled_at == first.cancelled_at
    assert (shop.stored(apples).stock, shop.stored(apples).units_sold) == (10, 0)


@pytest.mark.parametrize(
    ("path", "by_manager", "allowed"),
    [
        ([], False, True),
        ([S.PROCESSING], False, False),
        ([S.PROCESSING], True, True),
        ([S.PROCESSING, S.SHIPPED], True, False),
    ],
)
async def test_who_may_cancel_when(
    shop: Shop, path: list[OrderStatus], by_manager: bool, allowed: bool
) -> None:
    ann = customer()
    apples = shop.product(stock=10)
    order = await shop.place(ann.user_id, (apples, 2))
    for status in path:
        await shop.orders.step(order.id, status)

    who = manager() if by_manager else ann
    if allowed:
        await shop.orders.cancel(who, order.id)
        assert shop.stored(apples).stock == 10
    else:
        with pytest.raises(Conflict):
            await shop.orders.cancel(who, order.id)
        assert shop.stored(apples).stock == 8


async def test_nobody_cancels_someone_elses_order(shop: Shop) -> None:
    apples = shop.product(stock=10)
    order = await shop.place(customer().user_id, (apples, 2))

    with pytest.raises(NotFound):
        await shop.orders.cancel(customer(), order.id)
    assert shop.stored(apples).stock == 8


async def test_a_cancellation_back_over_the_threshold_resolves_the_alert(shop: Shop) -> None:
    ann = customer()
    apples = shop.product(stock=10, threshold=10)
    order = await shop.place(ann.user_id, (apples, 2))
    [alert] = shop.store.alerts.alerts.values()
    assert alert.resolved_at is None

    await shop.orders.cancel(ann, order.id)

    assert shop.store.alerts.alerts[alert.id].resolved_at is not None
