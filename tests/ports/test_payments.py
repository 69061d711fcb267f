"""PaymentRepository: an order's payment as stored and read back, and its refunds."""

from __future__ import annotations

from decimal import Decimal

from grocery.core.ids import new_id
from grocery.core.payments import Payment, PaymentProvider, PaymentStatus, Refund
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
