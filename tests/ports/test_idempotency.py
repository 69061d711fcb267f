"""IdempotencyKeyRepository."""

from __future__ import annotations

from grocery.core.orders import Answer, KeptAnswer
from tests.ports.shop import NOW, OpenWork, Seed, an_order


async def test_a_new_key_is_claimed_and_its_answer_kept_for_the_next_request(
    uow: OpenWork, seed: Seed
) -> None:
    ann, bob = await seed.user(), await seed.user()
    order = an_order(ann, (await seed.product(), 1))
    body = f'{{"total": "2.50", "id": "{order.id}", "lines": [1,2]}}'.encode()
    answer = Answer(status=201, body=body)  # kept byte for byte: key order, spaces

    async with uow() as work:
        assert await work.idempotency_keys.claim(ann.id, "key-1", "hash-1", NOW) is None
        await work.orders.add(order)
        await work.idempotency_keys.answer(ann.id, "key-1", answer, order.id)
        await work.commit()

    async with uow() as work:
        kept = await work.idempotency_keys.claim(ann.id, "key-1", "hash-2", NOW)
        assert await work.idempotency_keys.claim(bob.id, "key-1", "hash-1", NOW) is None
    assert kept == KeptAnswer(request_hash="hash-1", answer=answer)


async def test_a_key_claimed_but_not_answered_is_kept_without_an_answer(
    uow: OpenWork, seed: Seed
) -> None:
    ann = await seed.user()

    async with uow() as work:
        assert await work.idempotency_keys.claim(ann.id, "key-1", "hash-1", NOW) is None
        again = await work.idempotency_keys.claim(ann.id, "key-1", "hash-1", NOW)
        await work.commit()
    async with uow() as work:
        later = await work.idempotency_keys.claim(ann.id, "key-1", "hash-1", NOW)

    assert again == later == KeptAnswer(request_hash="hash-1", answer=None)


async def test_a_key_claimed_in_a_rolled_back_unit_of_work_is_free(
    uow: OpenWork, seed: Seed
) -> None:
    ann = await seed.user()

    async with uow() as work:
        assert await work.idempotency_keys.claim(ann.id, "key-1", "hash-1", NOW) is None
        await work.rollback()

    async with uow() as work:
        assert await work.idempotency_keys.claim(ann.id, "key-1", "hash-2", NOW) is None
