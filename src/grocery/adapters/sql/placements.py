"""A checkout's reads and writes in PostgreSQL, one statement each.

The Idempotency-Key is claimed and then, only when the claim took it, the cart is taken out
by the very deletes CartRepository.take_all uses (the same rows locked in the same order),
its lines as arrays in one row with the customer's hold, its address's zone and account.
The order is written as SqlOrderRepository.add writes it (lines, sales counters, rollups,
categories), with its stock movements, its mail in the outbox and the answer kept under its
Idempotency-Key. Each is a data-modifying WITH part, run once whether or not the main
statement reads it; the foreign keys to the order are checked at the statement's end, when
the order is there."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from uuid import UUID

import msgspec

from grocery.adapters.sql.accounts import user_of
from grocery.adapters.sql.carts import entry_of
from grocery.adapters.sql.database import SessionSql
from grocery.adapters.sql.idempotency import kept_under
from grocery.adapters.sql.orders import (
    ORDER_CATEGORIES,
    ORDER_WITH,
    order_arguments,
    store_payment,
)
from grocery.adapters.sql.slot_holds import OF_CUSTOMER, held_slot
from grocery.adapters.sql.stock import movement_columns
from grocery.core.cart import TakenCart
from grocery.core.fulfilment.zones import PREFIX_MAX_LENGTH
from grocery.core.orders import KeptAnswer
from grocery.core.placement import CartAtCheckout, KeyClaim, Placement

_LINES_IN_ORDER = "ORDER BY added_at, product_id"
# The zone the held address's postal code falls in, as SqlDeliveryZoneRepository.id_for finds
# it: core's postal_code_prefixes each looked up by the prefixes' key, the longest found wins.
# An address's postal code holds only letters, digits, spaces and '-' (validate_address), so
# spaces dropped and letters upper-cased in the "C" collation is core's normalise_postal_code.
_ZONE_OF_HOLD = f"""
    SELECT zp.zone_id AS address_zone_id FROM delivery_zone_prefixes zp
     WHERE hold.postal_code IS NOT NULL
       AND zp.prefix = ANY (ARRAY(
               SELECT left(upper(replace(hold.postal_code, ' ', '') COLLATE "C"), n)
                      COLLATE "default"
                 FROM generate_series(1, {PREFIX_MAX_LENGTH}) n))
     ORDER BY length(zp.prefix) DESC LIMIT 1
"""  # noqa: S608 - constant parts
_TAKE_CART = f"""
    WITH claimed AS (
        INSERT INTO idempotency_keys (user_id, key, request_hash, created_at)
        SELECT $1, $2, $3, $4 WHERE $2::text IS NOT NULL
        ON CONFLICT DO NOTHING RETURNING key
    ), going AS MATERIALIZED (
        SELECT $2::text IS NULL OR EXISTS (SELECT FROM claimed) AS ahead
    ), cart AS (
        DELETE FROM carts WHERE user_id = $1 AND (SELECT ahead FROM going)
        RETURNING promo_code_id
    ), taken AS (
        DELETE FROM cart_items WHERE user_id = $1 AND (SELECT ahead FROM going)
        RETURNING product_id, quantity, added_at, substitution, preferred_substitute_id
    ), lines AS (
        SELECT array_agg(product_id {_LINES_IN_ORDER}) AS product_ids,
               array_agg(quantity {_LINES_IN_ORDER}) AS quantities,
               array_agg(substitution {_LINES_IN_ORDER}) AS substitutions,
               array_agg(preferred_substitute_id {_LINES_IN_ORDER}) AS substitutes
          FROM taken
    )
    SELECT (SELECT ahead FROM going), lines.*, (SELECT promo_code_id FROM cart),
           u.email, u.username, u.password_hash, u.role, u.is_active, u.email_verified,
           u.created_at AS user_created_at, hold.*, zone.address_zone_id
      FROM lines
      LEFT JOIN users u ON u.id = $1
      LEFT JOIN LATERAL ({OF_CUSTOMER}) hold ON true
      LEFT JOIN LATERAL ({_ZONE_OF_HOLD}) zone ON true
"""  # noqa: S608 - constant parts

# $1 to $37 are ORDER_WITH's; arrays as InitPlans, as everywhere (adapters/sql/carts.py).
_PLACE = f"""{ORDER_WITH}, moved AS (
        INSERT INTO stock_movements (id, product_id, kind, quantity, stock_after, order_id,
                                     user_id, note, created_at)
        SELECT * FROM unnest((SELECT $38::uuid[]), (SELECT $39::uuid[]), (SELECT $40::text[]),
                             (SELECT $41::int[]), (SELECT $42::int[]), (SELECT $43::uuid[]),
                             (SELECT $44::uuid[]), (SELECT $45::text[]),
                             (SELECT $46::timestamptz[]))
    ), mailed AS (
        INSERT INTO outbox (id, kind, payload, idempotency_key, created_at, attempts,
                            next_attempt_at)
        SELECT id, kind, payload::jsonb, idempotency_key, created_at, attempts, next_attempt_at
          FROM unnest((SELECT $47::uuid[]), (SELECT $48::text[]), (SELECT $49::text[]),
                      (SELECT $50::text[]), (SELECT $51::timestamptz[]), (SELECT $52::int[]),
                      (SELECT $53::timestamptz[]))
               AS message (id, kind, payload, idempotency_key, created_at, attempts,
                           next_attempt_at)
    ), kept AS (
        UPDATE idempotency_keys
           SET response_status = $55, response_body = $56::json, order_id = $1
         WHERE user_id = $2 AND key = $54
    ){ORDER_CATEGORIES}"""  # noqa: S608 - constant parts


class SqlOrderPlacement:
    def __init__(self, sql: SessionSql) -> None:
        self._sql = sql

    async def take_cart(
        self, user_id: UUID, claim: KeyClaim | None = None
    ) -> CartAtCheckout | KeptAnswer:
        # The claim waits while a concurrent request holds the same key, as
        # IdempotencyKeyRepository.claim's does; the cart is deleted only when it took it.
        key = None if claim is None else claim.key
        request_hash, at = (None, None) if claim is None else (claim.request_hash, claim.at)
        row = await self._sql.fetchrow(_TAKE_CART, user_id, key, request_hash, at)
        assert row is not None  # an aggregate answers one row
        if not row["ahead"]:
            assert key is not None  # without a key nothing is claimed, and it goes ahead
            return await kept_under(self._sql, user_id, key)
        lines = zip(
            row["product_ids"] or (),
            row["quantities"] or (),
            row["substitutions"] or (),
            row["substitutes"] or (),
            strict=True,
        )
        entries = [
            entry_of(product_id, _line(quantity, substitution, substitute))
            for product_id, quantity, substitution, substitute in lines
        ]
        customer = None if row["email"] is None else user_of(row, user_id, row["user_created_at"])
        return CartAtCheckout(
            cart=TakenCart(entries=entries, promo_id=row["promo_code_id"]),
            held=None if row["slot_id"] is None else held_slot(user_id, row),
            customer=customer,
            address_zone_id=row["address_zone_id"],
        )

    async def place(self, placement: Placement) -> None:
        order = placement.order
        await self._sql.execute_sql(
            _PLACE,
            *order_arguments(order),
            *movement_columns(placement.movements),
            *_mail(placement),
            *_kept(placement),
        )
        await store_payment(self._sql, order)


def _mail(placement: Placement) -> list[list[Any]]:
    mail = placement.mail
    return [
        [m.id for m in mail],
        [m.kind for m in mail],
        [msgspec.json.encode(m.payload).decode() for m in mail],
        [m.idempotency_key for m in mail],
        [m.created_at for m in mail],
        [m.attempts for m in mail],
        [m.next_attempt_at for m in mail],
    ]


def _kept(placement: Placement) -> tuple[Any, ...]:
    """The key, the status and the body (JSON text: json keeps it as it was sent)."""
    kept = placement.kept
    if kept is None:
        return (None, None, None)
    return (kept.key, kept.answer.status, kept.answer.body.decode())


def _line(quantity: int, substitution: str, substitute: UUID | None) -> Mapping[str, Any]:
    return {
        "quantity": quantity,
        "substitution": substitution,
        "preferred_substitute_id": substitute,
    }
