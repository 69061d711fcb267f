"""Housekeeping forgets old records and only those: each kind is kept as long as it can
still matter."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from datetime import timedelta
from typing import Any
from uuid import uuid4

from sqlalchemy import text

from grocery.adapters.sql.retention import Retention, SqlRecordKeeper
from grocery.entrypoints.housekeeping import forgetting, housekeeping, rolling
from grocery.entrypoints.wiring import Adapters
from tests.integration.checkout_shop import Shop
from tests.integration.conftest import SignedInUser
from tests.integration.slot_shop import Places

KEEP = Retention(
    catalog_changes=timedelta(hours=1),
    idempotency_keys=timedelta(hours=24),
    refresh_families=timedelta(days=1),
    login_failures=timedelta(days=1),
    link_tokens=timedelta(days=1),
    mail_asks=timedelta(days=1),
    staff_sessions=timedelta(0),
    guest_carts=timedelta(days=30),
    slot_holds=timedelta(days=1),
)


async def run(adapters: Adapters, sql: str, values: Mapping[str, Any] | None = None) -> list[Any]:
    async with adapters.database.engine.begin() as connection:
        result = await connection.execute(text(sql), dict(values or {}))
        return list(result) if result.returns_rows else []


async def keys_of(adapters: Adapters, user: SignedInUser) -> list[str]:
    rows = await run(
        adapters,
        "SELECT key FROM idempotency_keys WHERE user_id = :user ORDER BY key",
        {"user": user.id},
    )
    return [row[0] for row in rows]


async def tokens_of(adapters: Adapters, user: SignedInUser) -> list[str]:
    rows = await run(
        adapters,
        "SELECT token_hash FROM refresh_tokens WHERE user_id = :user ORDER BY token_hash",
        {"user": user.id},
    )
    return [row[0].removeprefix(f"{user.id}-") for row in rows]


async def remember(adapters: Adapters, ann: SignedInUser) -> None:
    """Records of every kind, each once too old and once not."""
    await run(
        adapters,
        "INSERT INTO catalog_changes (xid, changed_at) VALUES"
        " ('1'::xid8, now() - interval '2 hours'), ('2'::xid8, now() - interval '30 minutes')",
    )
    await run(
        adapters,
        "INSERT INTO idempotency_keys (user_id, key, request_hash, created_at) VALUES"
        " (:user, 'old', 'h', now() - interval '25 hours'),"
        " (:user, 'recent', 'h', now() - interval '23 hours')",
        {"user": ann.id},
    )
    gone, alive, young = uuid4(), uuid4(), uuid4()
    for family, name, expired in [
        (gone, "a-gone-1", timedelta(days=3)),
        (gone, "a-gone-2", timedelta(days=2)),
        (alive, "b-alive-old", timedelta(days=3)),
        (alive, "b-alive-new", timedelta(days=-10)),
        (young, "c-young", timedelta(hours=12)),
    ]:
        await run(
            adapters,
            "INSERT INTO refresh_tokens (id, family_id, user_id, token_hash, expires_at)"
            " VALUES (:id, :family, :user, :name, now() - CAST(:expired AS interval))",
            {
                "id": uuid4(),
                "family": family,
                "user": ann.id,
                "name": f"{ann.id}-{name}",  # hashes are unique across users
                "expired": expired,
            },
        )
    await run(
        adapters,
        "INSERT INTO login_failures (user_id, failed_at) VALUES"
        " (:user, now() - interval '2 days'), (:user, now() - interval '1 hour')",
        {"user": ann.id},
    )


async def what_is_left(adapters: Adapters, ann: SignedInUser) -> tuple[Any, ...]:
    changes = await run(adapters, "SELECT xid::text FROM catalog_changes WHERE xid < '3'::xid8")
    failures = await run(
        adapters, "SELECT count(*) FROM login_failures WHERE user_id = :user", {"user": ann.id}
    )
    return (
        sorted(row[0] for row in changes),
        await keys_of(adapters, ann),
        await tokens_of(adapters, ann),
        failures[0][0],
    )


async def forget_fake_changes(adapters: Adapters) -> None:
    await run(adapters, "DELETE FROM catalog_changes WHERE xid < '3'::xid8")


async def test_each_kind_of_record_goes_once_it_can_no_longer_matter(
    adapters: Adapters, ann: SignedInUser
) -> None:
    await remember(adapters, ann)

    forgotten = await SqlRecordKeeper(adapters.database).forget_old(KEEP)

    assert await what_is_left(adapters, ann) == (
        ["2"],
        ["recent"],
        ["b-alive-new", "b-alive-old", "c-young"],
        1,
    )
    assert forgotten["catalog_changes"] >= 1 and forgotten["idempotency_keys"] >= 1
    assert forgotten["refresh_families"] >= 2 and forgotten["login_failures"] >= 1
    await forget_fake_changes(adapters)


async def test_a_server_tidies_as_it_starts(adapters: Adapters, ann: SignedInUser) -> None:
    await remember(adapters, ann)

    async with housekeeping(forgetting(SqlRecordKeeper(adapters.database), KEEP), every=3600):
        for _ in range(50):
            if await keys_of(adapters, ann) == ["recent"]:
                break
            await asyncio.sleep(0.1)

    assert (await what_is_left(adapters, ann))[1:] == (
        ["recent"],
        ["b-alive-new", "b-alive-old", "c-young"],
        1,
    )
    await forget_fake_changes(adapters)


async def test_mailed_link_tokens_and_asks_go_a_day_after_they_stop_mattering(
    adapters: Adapters, ann: SignedInUser
) -> None:
    for name, expired in [
        ("gone", timedelta(days=2)),
        ("expired", timedelta(hours=12)),
        ("live", timedelta(hours=-1)),
    ]:
        await run(
            adapters,
            "INSERT INTO link_tokens (id, user_id, purpose, token_hash, expires_at)"
            " VALUES (:id, :user, 'password_reset', :hash, now() - CAST(:expired AS interval))",
            {"id": uuid4(), "user": ann.id, "hash": f"{ann.id}-{name}", "expired": expired},
        )
    key = f"address:{ann.email}"
    await run(
        adapters,
        "INSERT INTO mail_asks (key, asked_at) VALUES"
        " (:key, now() - interval '2 days'), (:key, now() - interval '1 hour')",
        {"key": key},
    )

    forgotten = await SqlRecordKeeper(adapters.database).forget_old(KEEP)

    left = await run(
        adapters, "SELECT token_hash FROM link_tokens WHERE user_id = :user", {"user": ann.id}
    )
    asks = await run(adapters, "SELECT count(*) FROM mail_asks WHERE key = :key", {"key": key})
    assert sorted(row[0].removeprefix(f"{ann.id}-") for row in left) == ["expired", "live"]
    assert asks[0][0] == 1
    assert forgotten["link_tokens"] >= 1 and forgotten["mail_asks"] >= 1


async def test_the_back_office_s_expired_sessions_go(adapters: Adapters) -> None:
    gone, live = f"gone-{uuid4().hex}", f"live-{uuid4().hex}"
    await run(
        adapters,
        "INSERT INTO staff_sessions (id, data, expires_at) VALUES"
        " (:gone, 'x', now() - interval '1 minute'), (:live, 'x', now() + interval '1 hour')",
        {"gone": gone, "live": live},
    )

    forgotten = await SqlRecordKeeper(adapters.database).forget_old(KEEP)

    left = await run(
        adapters,
        "SELECT id FROM staff_sessions WHERE id IN (:gone, :live)",
        {"gone": gone, "live": live},
    )
    assert [row[0] for row in left] == [live]
    assert forgotten["staff_sessions"] >= 1


async def test_guest_carts_idle_for_thirty_days_go_with_their_lines(
    adapters: Adapters, shop: Shop
) -> None:
    product = await shop.product()
    idle, used = uuid4(), uuid4()
    for cart_id, last_used in [(idle, timedelta(days=30, minutes=1)), (used, timedelta(days=29))]:
        await run(
            adapters,
            "INSERT INTO guest_carts (id, token_hash, created_at, last_used_at)"
            " VALUES (:id, :hash, now() - interval '60 days', now() - CAST(:idle AS interval))",
            {"id": cart_id, "hash": f"{cart_id}", "idle": last_used},
        )
    await run(
        adapters,
        "INSERT INTO guest_cart_items (cart_id, product_id, quantity, added_at)"
        " VALUES (:cart, :product, 1, now())",
        {"cart": idle, "product": product["id"]},
    )

    forgotten = await SqlRecordKeeper(adapters.database).forget_old(KEEP)

    left = await run(
        adapters,
        "SELECT id FROM guest_carts WHERE id IN (:idle, :used)",
        {"idle": idle, "used": used},
    )
    lines = await run(
        adapters, "SELECT count(*) FROM guest_cart_items WHERE cart_id = :idle", {"idle": idle}
    )
    assert [row[0] for row in left] == [used]
    assert lines[0][0] == 0
    assert forgotten["guest_carts"] >= 1


async def test_slot_holds_go_a_day_after_they_ran_out(
    adapters: Adapters, ann: SignedInUser, bob: SignedInUser
) -> None:
    places = Places(adapters)
    slot = await places.slot(await places.zone())
    for user, ran_out in [(ann, timedelta(days=2)), (bob, timedelta(hours=12))]:
        await run(
            adapters,
            "INSERT INTO slot_holds (user_id, slot_id, held_until)"
            " VALUES (:user, :slot, now() - CAST(:ran_out AS interval))",
            {"user": user.id, "slot": slot.id, "ran_out": ran_out},
        )

    forgotten = await SqlRecordKeeper(adapters.database).forget_old(KEEP)

    left = await run(
        adapters, "SELECT user_id FROM slot_holds WHERE slot_id = :slot", {"slot": slot.id}
    )
    assert [row[0] for row in left] == [bob.id]
    assert forgotten["slot_holds"] >= 1


_WINDOW = "SELECT recent_from = (now() AT TIME ZONE zone)::date - 29 FROM sales_zone"


async def test_housekeeping_moves_the_last_30_days_on(adapters: Adapters) -> None:
    async with adapters.database.begin() as connection:
        await connection.execute(text("UPDATE sales_zone SET recent_from = NULL"))

    async with housekeeping(rolling(adapters.database), every=3600):
        for _ in range(50):
            async with adapters.database.connect() as connection:
                if await connection.scalar(text(_WINDOW)):
                    break
            await asyncio.sleep(0.1)

    async with adapters.database.connect() as connection:
        assert await connection.scalar(text(_WINDOW))
