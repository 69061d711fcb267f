"""Account lockouts: which users' access tokens are no longer honoured (disabled or deleted),
so every server process can refuse them on their next request without reading the users
table per request.

- account_lockouts: one row per user ever disabled or deleted, kept by a row trigger on
  users: `locked` is true while the account is disabled, and for good once it is deleted (no
  foreign key: the row outlives the user). `xid` is the transaction that last changed it.
- A process loads the locked ids with the snapshot it read them under, then asks, about once
  a second, for the rows whose transaction that snapshot did not see (the catalog_changes
  technique; grocery/adapters/sql/account_lockouts.py).

Revision ID: 0012_account_lockouts
Revises: 0011_mail_outbox
Create Date: 2026-12-02
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0012_account_lockouts"
down_revision: str | None = "0011_mail_outbox"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.execute(
        """
        CREATE TABLE account_lockouts (
            user_id uuid NOT NULL,
            locked boolean NOT NULL,
            xid xid8 NOT NULL DEFAULT pg_current_xact_id(),
            changed_at timestamptz NOT NULL DEFAULT now(),
            CONSTRAINT pk_account_lockouts PRIMARY KEY (user_id)
        )
        """
    )
    op.execute("CREATE INDEX ix_account_lockouts_xid ON account_lockouts (xid)")
    op.execute(
        """
        CREATE FUNCTION grocery_note_account_lockout() RETURNS trigger
        LANGUAGE plpgsql AS $$
        DECLARE
            who uuid := CASE WHEN TG_OP = 'DELETE' THEN OLD.id ELSE NEW.id END;
            shut boolean := TG_OP = 'DELETE' OR NOT NEW.is_active;
        BEGIN
            IF TG_OP = 'UPDATE' AND NEW.is_active IS NOT DISTINCT FROM OLD.is_active THEN
                RETURN NULL;
            END IF;
            INSERT INTO account_lockouts (user_id, locked) VALUES (who, shut)
            ON CONFLICT (user_id) DO UPDATE
               SET locked = EXCLUDED.locked, xid = pg_current_xact_id(), changed_at = now();
            RETURN NULL;
        END
        $$
        """
    )
    op.execute(
        "CREATE TRIGGER users_access_changed AFTER UPDATE OF is_active OR DELETE ON users"
        " FOR EACH ROW EXECUTE FUNCTION grocery_note_account_lockout()"
    )
    op.execute(
        "INSERT INTO account_lockouts (user_id, locked) SELECT id, true FROM users WHERE NOT is_active"
    )


def downgrade() -> None:
    op.execute("DROP TRIGGER IF EXISTS users_access_changed ON users")
    op.execute("DROP FUNCTION IF EXISTS grocery_note_account_lockout()")
    op.execute("DROP TABLE IF EXISTS account_lockouts")
