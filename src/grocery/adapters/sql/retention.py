"""Forgetting records nobody reads again: catalog changes older than any kept page,
idempotency keys past their promise, refresh-token families long expired, old login
failures, mailed link tokens past their life, old asks for them, the back office's expired
sessions, guest carts left idle, slot holds long run out (a cart keeps its expired hold a
while: checkout takes the place again if there is room). Each kind goes in its own short
transaction; deleting is idempotent, so servers doing it at once only wait on each other
briefly."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import text

from grocery.adapters.sql.database import Database


@dataclass(frozen=True, slots=True)
class Retention:
    catalog_changes: timedelta
    idempotency_keys: timedelta  # a checkout repeated later than this makes a new order
    refresh_families: timedelta  # after the last token of the family expired
    login_failures: timedelta
    link_tokens: timedelta  # after they expired
    mail_asks: timedelta
    staff_sessions: timedelta  # after they expired
    guest_carts: timedelta  # since last used (their lines go with them)
    slot_holds: timedelta  # after they ran out (they take no place already)


_FORGET = {
    "catalog_changes": "DELETE FROM catalog_changes WHERE changed_at < now() - CAST(:age AS interval)",
    "idempotency_keys": "DELETE FROM idempotency_keys WHERE created_at < now() - CAST(:age AS interval)",
    # A whole family or nothing: a spent token must still be known as reused while any
    # token of its family can be refreshed.
    "refresh_families": """
        DELETE FROM refresh_tokens spent
         WHERE spent.expires_at < now() - CAST(:age AS interval)
           AND NOT EXISTS (SELECT FROM refresh_tokens kin
                            WHERE kin.family_id = spent.family_id
                              AND kin.expires_at >= now() - CAST(:age AS interval))
    """,
    "login_failures": "DELETE FROM login_failures WHERE failed_at < now() - CAST(:age AS interval)",
    "link_tokens": "DELETE FROM link_tokens WHERE expires_at < now() - CAST(:age AS interval)",
    "mail_asks": "DELETE FROM mail_asks WHERE asked_at < now() - CAST(:age AS interval)",
    "staff_sessions": "DELETE FROM staff_sessions WHERE expires_at < now() - CAST(:age AS interval)",
    "guest_carts": "DELETE FROM guest_carts WHERE last_used_at < now() - CAST(:age AS interval)",
    "slot_holds": "DELETE FROM slot_holds WHERE held_until < now() - CAST(:age AS interval)",
}


class SqlRecordKeeper:
    def __init__(self, database: Database) -> None:
        self._database = database

    async def forget_old(self, keep: Retention) -> dict[str, int]:
        """Rows deleted, per kind of record."""
        forgotten: dict[str, int] = {}
        for kind, statement in _FORGET.items():
            async with self._database.begin() as connection:
                result = await connection.execute(text(statement), {"age": getattr(keep, kind)})
                forgotten[kind] = result.rowcount
        return forgotten
