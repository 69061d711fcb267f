"""Hand-written statements (SessionSql) run on the unit of work's own connection and inside its
transaction, beside the SQLAlchemy ones: one commit keeps both, one rollback undoes both."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any
from uuid import UUID

import msgspec
import pytest
from litestar import Request, Response
from sqlalchemy import text

from grocery.adapters.sql.uow import SqlUnitOfWork
from grocery.core.cart import CartContents
from grocery.core.orders import KeptAnswer
from grocery.core.placement import CartAtCheckout, KeyClaim
from grocery.core.services.cart import CartService
from grocery.core.services.checkout import CheckoutRequest, CheckoutService
from grocery.entrypoints.http.orders import placed_answer
from grocery.entrypoints.http.problems import EXCEPTION_HANDLERS, PROBLEM_JSON
from grocery.entrypoints.wiring import Adapters
from tests.integration.checkout_shop import Shop
from tests.integration.conftest import SignedInUser
from tests.integration.database import until_waiting_on_locks

NOW = datetime(2026, 11, 25, tzinfo=UTC)


async def test_a_rollback_undoes_both_kinds_of_statement(
    adapters: Adapters, shop: Shop, ann: SignedInUser
) -> None:
    apples = UUID((await shop.product())["id"])
    code = UUID((await shop.promo())["id"])
    async with SqlUnitOfWork(adapters.database) as uow:
        added = await uow.cart.add(ann.id, apples, 2, at=NOW, room=10)  # hand-written
        assert added is not None and added.created
        await uow.cart.set_promo(ann.id, code)  # SQLAlchemy
        contents = await uow.shelf.in_cart(ann.id)  # hand-written, sees both
        assert [entry.quantity for entry in contents.entries] == [2]
        assert contents.promo_id == code
        await uow.rollback()

    async with SqlUnitOfWork(adapters.database) as uow:
        assert await uow.shelf.in_cart(ann.id) == CartContents(entries=[], shelf={}, promo_id=None)


async def test_a_commit_keeps_both_kinds_of_statement(
    adapters: Adapters, shop: Shop, ann: SignedInUser
) -> None:
    apples = UUID((await shop.product())["id"])
    async with SqlUnitOfWork(adapters.database) as uow:
        await uow.cart.set_promo(ann.id, None)  # SQLAlchemy first, hand-written after
        await uow.cart.add(ann.id, apples, 2, at=NOW, room=10)
        await uow.commit()

    async with SqlUnitOfWork(adapters.database) as uow:
        contents = await uow.shelf.in_cart(ann.id)
        assert [entry.quantity for entry in contents.entries] == [2]
        assert contents.promo_id is None
        await uow.cart.empty(ann.id)
        await uow.commit()


async def test_statements_after_a_commit_run_in_a_transaction_of_their_own(
    adapters: Adapters, shop: Shop, ann: SignedInUser
) -> None:
    apples = UUID((await shop.product())["id"])
    code = UUID((await shop.promo())["id"])
    async with SqlUnitOfWork(adapters.database) as uow:
        await uow.commit()
        await uow.cart.add(ann.id, apples, 2, at=NOW, room=10)  # hand-written
        await uow.cart.set_promo(ann.id, code)  # SQLAlchemy
        # Left without a commit: neither is kept (neither ran on its own, in autocommit).

    async with SqlUnitOfWork(adapters.database) as uow:
        assert await uow.shelf.in_cart(ann.id) == CartContents(entries=[], shelf={}, promo_id=None)


async def test_a_unit_of_work_cancelled_mid_statement_leaves_no_transaction_behind(
    adapters: Adapters, shop: Shop
) -> None:
    """A request cancelled while its statement waits on a row lock: the connection goes back
    to the pool with nothing open (or is dropped), so the units of work after it, on every
    pooled connection, see and lock the row as usual."""
    apples = UUID((await shop.product(stock=30))["id"])
    held, release = asyncio.Event(), asyncio.Event()

    async def hold() -> None:
        async with SqlUnitOfWork(adapters.database) as uow:
            await uow.stock.take({apples: 1})
            held.set()
            await release.wait()
            await uow.rollback()

    async def take(units: int) -> None:
        async with SqlUnitOfWork(adapters.database) as uow:
            assert len(await uow.stock.take({apples: units})) == 1
            await uow.commit()

    holder = asyncio.create_task(hold())
    await held.wait()
    waiter = asyncio.create_task(take(5))
    await until_waiting_on_locks(adapters.database, 1)
    waiter.cancel()
    with pytest.raises(asyncio.CancelledError):
        await waiter
    release.set()
    await holder

    await asyncio.gather(*(take(1) for _ in range(adapters.database.pool_size * 2)))
    async with SqlUnitOfWork(adapters.database) as uow:
        shelf = await uow.shelf.for_cart([apples])
    assert shelf[apples].stock == 30 - adapters.database.pool_size * 2


class _AddsMeanwhile(SqlUnitOfWork):
    """A checkout's unit of work during which, right after the cart was taken, the same
    customer adds another product in a transaction of their own that commits first."""

    def __init__(self, adapters: Adapters, add: Callable[[], Awaitable[object]]) -> None:
        super().__init__(adapters.database)
        self._add = add

    def _bind_repositories(self) -> None:
        super()._bind_repositories()
        take_cart, add = self.placements.take_cart, self._add

        async def take_cart_then_add(
            user_id: UUID, claim: KeyClaim | None = None
        ) -> CartAtCheckout | KeptAnswer:
            taken = await take_cart(user_id, claim)
            await add()
            return taken

        self.placements.take_cart = take_cart_then_add  # type: ignore[method-assign]


async def test_a_line_added_during_checkout_stays_in_the_cart_for_the_next_order(
    adapters: Adapters, shop: Shop, ann: SignedInUser
) -> None:
    apples, pears = [UUID((await shop.product())["id"]) for _ in range(2)]
    carts = CartService(uow=lambda: SqlUnitOfWork(adapters.database), clock=adapters.clock)
    await carts.add(ann.id, apples, 1)
    checkout = CheckoutService(
        uow=lambda: _AddsMeanwhile(adapters, lambda: carts.add(ann.id, pears, 2)),
        clock=adapters.clock,
        currency="USD",
        require_slot=False,
    )

    answer = await checkout.place_order(CheckoutRequest(user_id=ann.id), placed_answer)

    assert answer.status == 201
    ordered = msgspec.json.decode(answer.body)["items"]
    assert [(UUID(line["product_id"]), line["quantity"]) for line in ordered] == [(apples, 1)]
    cart = await carts.view(ann.id)
    assert [(line.product_id, line.quantity) for line in cart.lines] == [(pears, 2)]


async def test_one_read_gives_the_lines_their_products_and_the_applied_code(
    adapters: Adapters, shop: Shop, ann: SignedInUser
) -> None:
    apples = UUID((await shop.product(price="1.25"))["id"])
    code = UUID((await shop.promo())["id"])
    async with SqlUnitOfWork(adapters.database) as uow:
        await uow.cart.set_promo(ann.id, code)
        alone = await uow.shelf.in_cart(ann.id)  # a code applied to a cart with no line yet
        await uow.cart.add(ann.id, apples, 2, at=NOW, room=10)
        contents = await uow.shelf.in_cart(ann.id)
        await uow.rollback()

    assert alone == CartContents(entries=[], shelf={}, promo_id=code)
    assert contents.promo_id == code
    assert [(entry.product_id, entry.quantity) for entry in contents.entries] == [(apples, 2)]
    assert contents.shelf[apples].unit_price == Decimal("1.25")


async def test_the_cart_read_with_one_more_product_leaves_it_out_of_the_lines(
    adapters: Adapters, shop: Shop, ann: SignedInUser
) -> None:
    apples, pears = [UUID((await shop.product())["id"]) for _ in range(2)]
    async with SqlUnitOfWork(adapters.database) as uow:
        empty = await uow.shelf.in_cart(ann.id, also=pears)
        await uow.cart.add(ann.id, apples, 2, at=NOW, room=10)
        held = await uow.shelf.in_cart(ann.id, also=apples)
        other = await uow.shelf.in_cart(ann.id, also=pears)
        await uow.rollback()

    assert (empty.entries, list(empty.shelf), empty.promo_id) == ([], [pears], None)
    assert [(e.product_id, e.quantity) for e in held.entries] == [(apples, 2)]
    assert list(held.shelf) == [apples]
    assert [e.product_id for e in other.entries] == [apples]
    assert set(other.shelf) == {apples, pears}


async def test_a_deadlock_postgresql_breaks_answers_409_and_leaves_nothing_behind(
    adapters: Adapters, shop: Shop
) -> None:
    a, b = [UUID((await shop.product(stock=5))["id"]) for _ in range(2)]
    both_hold_one = asyncio.Barrier(2)

    async def take_both(first: UUID, then: UUID) -> None:
        async with SqlUnitOfWork(adapters.database) as uow:
            await uow.stock.take({first: 1})
            await both_hold_one.wait()
            await uow.stock.take({then: 1})  # each waits on the other: PostgreSQL aborts one

    outcomes = await asyncio.gather(take_both(a, b), take_both(b, a), return_exceptions=True)

    broken = [outcome for outcome in outcomes if isinstance(outcome, Exception)]
    assert len(broken) == 1 and outcomes.count(None) == 1  # the other one went on
    answer = _answer_to(broken[0])
    assert (answer.status_code, answer.content["code"]) == (409, "concurrent_update")
    assert answer.media_type == PROBLEM_JSON
    async with SqlUnitOfWork(adapters.database) as uow:  # neither committed
        shelf = await uow.shelf.for_cart([a, b])
    assert [shelf[a].stock, shelf[b].stock] == [5, 5]


def _answer_to(error: Exception) -> Response[Any]:
    """The problem the app sends for `error`: the handler of its nearest class answers."""
    kind = next(kind for kind in type(error).__mro__ if kind in EXCEPTION_HANDLERS)
    answer: Response[Any] = EXCEPTION_HANDLERS[kind](_checkout_request(), error)
    return answer


def _checkout_request() -> Request[Any, Any, Any]:
    scope: Any = {
        "type": "http",
        "method": "POST",
        "scheme": "http",
        "server": ("testserver", 80),
        "root_path": "",
        "path": "/api/checkout",
        "query_string": b"",
        "headers": [],
    }
    return Request(scope)


@pytest.mark.parametrize("then", ["take", "put_back"])
async def test_stock_moves_of_the_same_products_in_opposite_orders_queue_instead_of_deadlocking(
    adapters: Adapters, shop: Shop, then: str
) -> None:
    """A checkout taking a, b (a's id first) waits behind a third holding both rows, and so
    does another checkout (or a cancellation) moving b, a. Once the third lets go, moving them in the
    carts' own orders would have each hold one row the other wants; in id order, the
    second queues behind the first."""
    a, b = sorted([UUID((await shop.product(stock=5))["id"]) for _ in range(2)])
    held, release = asyncio.Event(), asyncio.Event()

    async def hold_both() -> None:
        async with SqlUnitOfWork(adapters.database) as uow:
            assert len(await uow.stock.take({a: 1, b: 1})) == 2
            held.set()
            await release.wait()
            await uow.rollback()

    async def move(how: str, units: dict[UUID, int]) -> int:
        async with SqlUnitOfWork(adapters.database) as uow:
            # The plan a big shop gets: each product looked up by its index, in turn.
            for setting in ("enable_seqscan", "enable_hashjoin", "enable_mergejoin"):
                await uow._sql.execute(text(f"SET LOCAL {setting} = off"))
            moved = await getattr(uow.stock, how)(units)
            await uow.commit()
        return len(moved)

    holder = asyncio.create_task(hold_both())
    await held.wait()
    moves = [
        asyncio.create_task(move("take", {a: 2, b: 1})),
        asyncio.create_task(move(then, {b: 1, a: 2})),
    ]
    await until_waiting_on_locks(adapters.database, 2)
    release.set()

    assert await asyncio.gather(*moves) == [2, 2]  # neither was aborted
    await holder
    async with SqlUnitOfWork(adapters.database) as uow:
        shelf = await uow.shelf.for_cart([a, b])
    expected = [1, 3] if then == "take" else [5, 5]
    assert [shelf[a].stock, shelf[b].stock] == expected
