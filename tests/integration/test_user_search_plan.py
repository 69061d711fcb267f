"""An admin's user search reads the trigram indexes (0028), not every user: EXPLAIN of the
very statement the adapter runs, over a shop of 20,000 users (added and rolled back). A
rare part is what an admin looks for, and what scanning every user costs most for; a part
most users share fills the page from the first ids read, and PostgreSQL rightly does that."""

from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlalchemy.dialects.postgresql.asyncpg import PGDialect_asyncpg

from grocery.adapters.sql.accounts import users_page
from grocery.core.identity import Role
from grocery.entrypoints.wiring import Adapters

pytestmark = pytest.mark.integration

_MANY_USERS = """
    INSERT INTO users (id, email, username, password_hash, role, is_active, created_at)
    SELECT gen_random_uuid(), 'shopper' || n || '@example.com', 'Shopper' || n, 'x',
           'customer', true, now()
      FROM generate_series(1, 20000) AS n
    UNION ALL
    SELECT gen_random_uuid(), 'ada@lovelace.example', 'Countess' || n, 'x', 'customer', true, now()
      FROM generate_series(1, 1) AS n
"""

# What autovacuum does soon after: the new rows moved from the indexes' pending lists
# (GIN's fast update) into the indexes proper, where a search reads them cheaply.
_SETTLED = """
    SELECT gin_clean_pending_list(name::regclass)
      FROM unnest(ARRAY['ix_users_username_trgm', 'ix_users_email_trgm']) AS name
"""


@pytest.mark.parametrize("role", [None, Role.CUSTOMER])
async def test_a_search_for_part_of_a_name_or_email_uses_the_trigram_indexes(
    adapters: Adapters, role: Role | None
) -> None:
    query = users_page(role=role, after=None, limit=21, search="lovelace")
    sql = query.compile(dialect=PGDialect_asyncpg(), compile_kwargs={"literal_binds": True})
    async with adapters.database.engine.connect() as connection:
        work = await connection.begin()
        try:
            await connection.execute(text(_MANY_USERS))
            await connection.execute(text(_SETTLED))
            await connection.execute(text("ANALYZE users"))
            plan = "\n".join((await connection.execute(text(f"EXPLAIN {sql}"))).scalars())
        finally:
            await work.rollback()
    assert "ix_users_username_trgm" in plan and "ix_users_email_trgm" in plan, plan
    assert "Seq Scan" not in plan, plan
