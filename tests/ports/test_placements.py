"""OrderPlacement: everything a checkout writes for its order, stored at once."""

from __future__ import annotations

from collections.abc import Awaitable

from grocery.core.cart import CartEntry, TakenCart
from grocery.core.ids import new_id
from grocery.core.orders import Answer, KeptAnswer
from grocery.core.placement import CartAtCheckout, KeptFor, KeyClaim, Placement
from grocery.core.stock import MovementKind, StockMovement
from grocery.core.substitutions import NO_PREFERENCE, Substitution, SubstitutionChoice
from tests.ports.places import a_hold, a_slot, a_zone, an_address
from tests.ports.shop import NOW, OpenWork, Seed, a_message, an_order, at
from tests.ports.test_slot_holds import a_zone_slot, stored_address


async def _taken(taking: Awaitable[CartAtCheckout | KeptAnswer]) -> CartAtCheckout:
    taken = await taking
    assert isinstance(taken, CartAtCheckout)
    return taken


async def test_the_cart_is_taken_with_the_customers_hold_and_account(
    uow: OpenWork, seed: Seed
) -> None:
    _, slot = await a_zone_slot(uow)
    ann, apples, pears = await seed.user(), await seed.product(), await seed.product()
    promo = await seed.promo()
    hold = a_hold(ann, slot, at(120), await stored_address(uow, ann))
    swap = SubstitutionChoice(Substitution.ALLOW, apples.id)
    async with uow() as work:
        await work.cart.add(ann.id, apples.id, 2, at=at(5), room=9)
        await work.cart.add(ann.id, pears.id, 1, at=at(1), room=9)
        await work.cart.set_choice(ann.id, pears.id, swap)
        await work.cart.set_promo(ann.id, promo.id)
        assert await work.holds.hold(hold, NOW)
        await work.commit()

    async with uow() as work:
        taken = await _taken(work.placements.take_cart(ann.id))
        held = await work.holds.of_customer(ann.id)
        await work.commit()
    async with uow() as work:
        again = await _taken(work.placements.take_cart(ann.id))

    entries = [
        CartEntry(product_id=pears.id, quantity=1, choice=swap),
        CartEntry(product_id=apples.id, quantity=2, choice=NO_PREFERENCE),
    ]
    assert taken.cart == TakenCart(entries=entries, promo_id=promo.id)
    assert (taken.held, taken.customer) == (held, ann)
    assert again.cart == TakenCart(entries=[], promo_id=None)
    assert (again.held, again.customer) == (held, ann)  # the hold waits for the booking


async def test_the_hold_s_address_comes_with_the_zone_its_postal_code_falls_in_now(
    uow: OpenWork, seed: Seed
) -> None:
    """As DeliveryZoneRepository.id_for finds it: the zone of the longest prefix, whatever
    the case and spaces of the postal code; none for a code no zone holds."""
    city, centre = a_zone("SW", "W1"), a_zone("SW1Y")
    slot = a_slot(city)
    codes = {"sw1y 4jh": centre, "S W 9 1AA": city, "N1 9GU": None}
    customers = {code: await seed.user() for code in codes}
    async with uow() as work:
        for zone in (city, centre):
            await work.delivery_zones.add(zone)
        await work.slots.add(slot)
        for code, customer in customers.items():
            address = an_address(customer, postal_code=code)
            await work.addresses.add(address)
            assert await work.holds.hold(a_hold(customer, slot, at(120), address), NOW)
        await work.commit()

    async with uow() as work:
        taken = [await _taken(work.placements.take_cart(c.id)) for c in customers.values()]
        found = [await work.delivery_zones.id_for(code) for code in codes]

    expected = [None if zone is None else zone.id for zone in codes.values()]
    assert [t.address_zone_id for t in taken] == expected == found


async def test_a_customer_without_a_cart_or_hold_is_read_alone(uow: OpenWork, seed: Seed) -> None:
    ann = await seed.user()

    async with uow() as work:
        taken = await _taken(work.placements.take_cart(ann.id))
        nobody = await _taken(work.placements.take_cart(new_id()))

    assert (taken.cart, taken.held, taken.customer, taken.address_zone_id) == (
        TakenCart(entries=[], promo_id=None),
        None,
        ann,
        None,
    )
    assert nobody.customer is None


async def test_the_order_its_movements_mail_and_kept_answer_are_stored_together(
    uow: OpenWork, seed: Seed
) -> None:
    ann, apples, pears = await seed.user(), await seed.product(), await seed.product()
    order = an_order(ann, (apples, 2), (pears, 1))
    sale = [
        StockMovement(
            id=new_id(),
            product_id=product.id,
            kind=MovementKind.SALE,
            quantity=-units,
            stock_after=product.stock - units,
            created_at=NOW,
            order_id=order.id,
            user_id=ann.id,
        )
        for product, units in ((apples, 2), (pears, 1))
    ]
    mail = a_message(NOW, kind="mail", payload={"kind": "order_placed", "to": "ann@example.com"})
    answer = Answer(status=201, body=f'{{"total": "7.50", "id": "{order.id}"}}'.encode())

    async with uow() as work:
        assert await work.idempotency_keys.claim(ann.id, "key-1", "hash-1", NOW) is None
        placed = Placement(
            order=order, movements=sale, mail=[mail], kept=KeptFor(key="key-1", answer=answer)
        )
        await work.placements.place(placed)
        await work.commit()

    async with uow() as work:
        stored = await work.orders.get(order.id)
        moved = await work.stock_movements.page(apples.id, before=None, limit=5)
        mailed = await work.outbox.claim_due(NOW, 5, kinds=["mail"])
        kept = await work.idempotency_keys.claim(ann.id, "key-1", "hash-1", NOW)
    assert stored is not None and stored.total == order.total
    assert {line.product_id for line in stored.lines} == {apples.id, pears.id}
    assert moved == [sale[0]]
    assert mailed == [mail]
    assert kept == KeptAnswer(request_hash="hash-1", answer=answer)


async def test_a_placement_without_movements_mail_or_key_stores_the_order_alone(
    uow: OpenWork, seed: Seed
) -> None:
    ann, apples = await seed.user(), await seed.product()
    order = an_order(ann, (apples, 1))

    async with uow() as work:
        await work.placements.place(Placement(order=order, movements=[]))
        await work.commit()

    async with uow() as work:
        stored = await work.orders.get(order.id)
        assert await work.outbox.claim_due(NOW, 5, kinds=["mail"]) == []
        assert await work.stock_movements.page(apples.id, before=None, limit=5) == []
    assert stored is not None and stored.id == order.id


async def test_a_used_key_answers_its_earlier_request_and_leaves_the_cart_alone(
    uow: OpenWork, seed: Seed
) -> None:
    ann, apples = await seed.user(), await seed.product()
    async with uow() as work:
        await work.cart.add(ann.id, apples.id, 2, at=NOW, room=9)
        assert await work.idempotency_keys.claim(ann.id, "key-1", "hash-1", NOW) is None
        await work.commit()

    async with uow() as work:
        used = await work.placements.take_cart(
            ann.id, KeyClaim(key="key-1", request_hash="hash-2", at=NOW)
        )
        fresh = await work.placements.take_cart(
            ann.id, KeyClaim(key="key-2", request_hash="hash-2", at=NOW)
        )
        await work.commit()
    async with uow() as work:
        again = await work.placements.take_cart(
            ann.id, KeyClaim(key="key-2", request_hash="hash-3", at=NOW)
        )

    assert used == KeptAnswer(request_hash="hash-1", answer=None)
    assert isinstance(fresh, CartAtCheckout)
    assert fresh.cart.entries == [CartEntry(product_id=apples.id, quantity=2)]
    assert again == KeptAnswer(request_hash="hash-2", answer=None)
