"""Catalog changes: which transactions changed what the storefront shows, so a cached page
can be checked against them in one short index scan.

- catalog_changes: one row per transaction (its xid8) that wrote products, categories or
  product_images, added by a statement-level trigger on each. A page cached with the snapshot
  it was read under is still right for a reader exactly when no row's transaction is visible
  to the reader but not to that snapshot (grocery/adapters/sql/catalog_changes.py).
- Rows are appended, never updated, so writers never wait on each other here; servers delete
  the rows far older than any cached page may live.

Revision ID: 0008_catalog_changes
Revises: 0007_sales_counters
Create Date: 2026-11-25
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0008_catalog_changes"
down_revision: str | None = "0007_sales_counters"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_WATCHED = ("products", "categories", "product_images")


def upgrade() -> None:
    op.execute(
        """
        CREATE TABLE catalog_changes (
            xid xid8 NOT NULL,
            changed_at timestamptz NOT NULL DEFAULT now(),
            CONSTRAINT pk_catalog_changes PRIMARY KEY (xid)
        )
        """
    )
    op.execute("CREATE INDEX ix_catalog_changes_changed_at ON catalog_changes (changed_at)")
    op.execute(
        """
        CREATE FUNCTION grocery_note_catalog_change() RETURNS trigger
        LANGUAGE plpgsql AS $$
        BEGIN
            INSERT INTO catalog_changes (xid) VALUES (pg_current_xact_id())
            ON CONFLICT DO NOTHING;
            RETURN NULL;
        END
        $$
        """
    )
    for table in _WATCHED:
        op.execute(
            f"CREATE TRIGGER {table}_catalog_changed"
            f" AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON {table}"
            " FOR EACH STATEMENT EXECUTE FUNCTION grocery_note_catalog_change()"
        )


def downgrade() -> None:
    for table in _WATCHED:
        op.execute(f"DROP TRIGGER IF EXISTS {table}_catalog_changed ON {table}")
    op.execute("DROP FUNCTION IF EXISTS grocery_note_catalog_change()")
    op.execute("DROP TABLE IF EXISTS catalog_changes")
