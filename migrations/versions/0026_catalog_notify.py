"""Catalog notify: each transaction that changes what the storefront shows also NOTIFYs
`grocery_catalog` with its xid, so every server process hears of it when it commits and a
kept page needs no check against the database (grocery/adapters/sql/catalog_feed.py).

- grocery_note_catalog_change() keeps noting the xid in catalog_changes (the check servers
  fall back to while they can't listen) and now also calls pg_notify. PostgreSQL sends a
  transaction's notifications when it commits, never when it rolls back, and sends one of
  each channel and payload: a transaction is heard once, whatever it wrote.

Revision ID: 0026_catalog_notify
Revises: 0025_payment_retries
Create Date: 2026-12-02
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0026_catalog_notify"
down_revision: str | None = "0025_payment_retries"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


_NOTED = """
        CREATE OR REPLACE FUNCTION grocery_note_catalog_change() RETURNS trigger
        LANGUAGE plpgsql AS $$
        BEGIN
            INSERT INTO catalog_changes (xid) VALUES (pg_current_xact_id())
            ON CONFLICT DO NOTHING;
            RETURN NULL;
        END
        $$
        """
_NOTED_AND_NOTIFIED = """
        CREATE OR REPLACE FUNCTION grocery_note_catalog_change() RETURNS trigger
        LANGUAGE plpgsql AS $$
        BEGIN
            INSERT INTO catalog_changes (xid) VALUES (pg_current_xact_id())
            ON CONFLICT DO NOTHING;
            PERFORM pg_notify('grocery_catalog', pg_current_xact_id()::text);
            RETURN NULL;
        END
        $$
        """


def upgrade() -> None:
    op.execute(_NOTED_AND_NOTIFIED)


def downgrade() -> None:
    op.execute(_NOTED)
