"""PaymentRepository: an order's payment as stored and read back, and its refunds."""

from __future__ import annotations

from decimal import Decimal

from grocery.core.ids import new_id
from grocery.core.orders import OrderStatus
from grocery.core.payments import Payment, PaymentProvider, PaymentStatus, Refund
from grocery.core.stock import MovementKind, StockMovement
from tests.ports.shop import NOW, OpenWork, Seed, at


async def test_an_order_carries_its_payment_as_last_saved(uow: OpenWork, seed: Seed) -> None:
    ann, apples = await seed.user(), await seed.product()
    waiting = Payment(
        provider=PaymentProvider.STRIPE,
        status=PaymentStatus.REQUIRES_ACTION,
        client_secret="pi_1_secret_x",
        reference="pi_1",
    )
    order = await seed.order(ann, (apples, 1), payment=waiting)
    held = Payment(
        provider=PaymentProvider.STRIPE,
        status=PaymentStatus.AUTHORIZED,
        amount_authorized=Decimal("12.34"),
        reference="pi_1",
    )

    async with uow() as work:
        assert (await work.orders.get(order.id)) == order
        await work.payments.save(order.id, held, at(5))
        await work.commit()

    async with uow() as work:
        stored = await work.orders.get(order.id)
    assert stored is not None
    assert (stored.payment, stored.updated_at) == (held, at(5))


async def test_an_order_placed_without_a_provider_is_paid_by_hand(
    uow: OpenWork, seed: Seed
) -> None:
    order = await seed.order(await seed.user(), (await seed.product(), 1))

    async with uow() as work:
        stored = await work.orders.get(order.id)

    assert stored is not None
    assert stored.payment == Payment(provider=PaymentProvider.MANUAL)


async def test_refunds_are_kept_per_order_oldest_first(uow: OpenWork, seed: Seed) -> None:
    ann, apples = await seed.user(), await seed.product()
    one, other = await seed.order(ann, (apples, 1)), await seed.order(ann, (apples, 1))
    first, second, elsewhere = (
        Refund(
            id=new_id(),
            order_id=order_id,
            amount=Decimal(amount),
            reason=reason,
            created_at=NOW,
            by=by,
        )
        for order_id, amount, reason, by in (
            (one.id, "1.00", "bruised", ann.id),
            (one.id, "0.50", "late", None),
            (other.id, "2.00", "missing", ann.id),
        )
    )

    async with uow() as work:
        for refund in (first, second, elsewhere):
            await work.payments.add_refund(refund)
        await work.commit()

    async with uow() as work:
        assert await work.payments.refunds(one.id) == [first, second]
        assert await work.payments.refunds(other.id) == [elsewhere]


def _card(status: PaymentStatus, reference: str | None = None, **amounts: Decimal) -> Payment:
    return Payment(
        provider=PaymentProvider.STRIPE,
        status=status,
        reference=reference or f"pi_{new_id().hex}",
        **amounts,
    )


async def test_an_order_is_found_by_its_payments_reference(uow: OpenWork, seed: Seed) -> None:
    ann, apples = await seed.user(), await seed.product()
    order = await seed.order(ann, (apples, 1), payment=_card(PaymentStatus.PENDING, "pi_ann"))
    await seed.order(ann, (apples, 1), payment=_card(PaymentStatus.PENDING, "pi_other"))

    async with uow() as work:
        assert await work.payments.lock_by_reference("pi_ann") == order
        assert await work.payments.lock_by_reference("pi_nobody") is None


async def test_a_provider_event_is_noted_once(uow: OpenWork, seed: Seed) -> None:
    async with uow() as work:
        first = await work.payments.first_time("evt_1", NOW)
        again = await work.payments.first_time("evt_1", at(1))
        other = await work.payments.first_time("evt_2", NOW)
        await work.commit()
    async with uow() as work:
        later = await work.payments.first_time("evt_1", at(2))
    async with uow() as work:  # the rolled-back note of evt_3 was never made
        rolled_back = await work.payments.first_time("evt_3", NOW)

    assert (first, again, other, later, rolled_back) == (True, False, True, False, True)


async def test_a_discarded_order_leaves_no_order_nor_stock_movements(
    uow: OpenWork, seed: Seed
) -> None:
    ann, apples = await seed.user(), await seed.product()
    order = await seed.order(ann, (apples, 1))
    kept = await seed.order(ann, (apples, 1))
    sale = StockMovement(
        id=new_id(),
        product_id=apples.id,
        kind=MovementKind.SALE,
        quantity=-1,
        stock_after=9,
        created_at=NOW,
        order_id=order.id,
        user_id=ann.id,
    )
    async with uow() as work:
        await work.stock_movements.record([sale])
        await work.payments.discard(order.id)
        await work.commit()

    async with uow() as work:
        assert await work.orders.get(order.id) is None
        assert await work.orders.get(kept.id) == kept
        assert await work.stock_movements.page(apples.id, before=None, limit=10) == []


async def test_card_payments_waiting_on_the_shop_are_found_oldest_first(
    uow: OpenWork, seed: Seed
) -> None:
    ann, apples = await seed.user(), await seed.product()
    cancelled = {"status": OrderStatus.CANCELLED, "cancelled_at": NOW}
    taken = {"amount_captured": Decimal("2.00"), "amount_authorized": Decimal("2.00")}
    unpaid_old = await seed.order(
        ann, (apples, 1), payment=_card(PaymentStatus.REQUIRES_ACTION), created_at=at(1)
    )
    await seed.order(ann, (apples, 1), payment=_card(PaymentStatus.PENDING), created_at=at(30))
    held_cancelled = await seed.order(
        ann, (apples, 1), payment=_card(PaymentStatus.AUTHORIZED), created_at=at(2), **cancelled
    )
    taken_cancelled = await seed.order(
        ann,
        (apples, 1),
        payment=_card(PaymentStatus.CAPTURED, **taken),
        created_at=at(3),
        **cancelled,
    )
    await seed.order(ann, (apples, 1), payment=_card(PaymentStatus.AUTHORIZED), created_at=at(4))
    await seed.order(
        ann, (apples, 1), payment=_card(PaymentStatus.CAPTURED, **taken), created_at=at(5)
    )
    await seed.order(ann, (apples, 1), created_at=at(0))  # paid by hand
    await seed.order(
        ann, (apples, 1), payment=_card(PaymentStatus.VOIDED), created_at=at(0), **cancelled
    )
    refused = _card(PaymentStatus.FAILED, **taken)  # its refund refused: settled by hand
    await seed.order(ann, (apples, 1), payment=refused, created_at=at(0), **cancelled)
    waiting = _card(PaymentStatus.CAPTURED, **taken, tries=2, retry_at=at(20))
    retried = await seed.order(ann, (apples, 1), payment=waiting, created_at=at(6), **cancelled)

    async with uow() as work:
        due = await work.payments.needing_follow_up(now=at(10), unpaid_before=at(10), limit=10)
        first = await work.payments.needing_follow_up(now=at(10), unpaid_before=at(10), limit=1)
        later = await work.payments.needing_follow_up(now=at(20), unpaid_before=at(10), limit=10)

    assert [order.id for order in due] == [unpaid_old.id, held_cancelled.id, taken_cancelled.id]
    assert [order.id for order in first] == [unpaid_old.id]
    assert [order.id for order in later][-1] == retried.id  # its wait is over
    assert later[-1].payment == waiting


async def test_a_released_idempotency_key_may_be_claimed_again(uow: OpenWork, seed: Seed) -> None:
    ann = await seed.user()
    async with uow() as work:
        assert await work.idempotency_keys.claim(ann.id, "k", "hash-1", NOW) is None
        await work.commit()
    async with uow() as work:
        await work.idempotency_keys.release(ann.id, "k")
        await work.commit()

    async with uow() as work:
        assert await work.idempotency_keys.claim(ann.id, "k", "hash-2", NOW) is None
