"""Confirmed email addresses, and the tokens of links mailed to customers.

- users.email_verified: false until the customer opens the link mailed at sign-up (or a
  password reset link); existing accounts start unconfirmed.
- link_tokens: the SHA-256 of each mailed token (confirm the address, reset the password),
  its user, when it expires and when it was used.
- mail_asks: asks for a mailed link by address and by client, for the throttle.

Revision ID: 0013_account_links
Revises: 0012_account_lockouts
Create Date: 2026-12-02
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013_account_links"
down_revision: str | None = "0012_account_lockouts"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column(
        "users",
        sa.Column("email_verified", sa.Boolean(), nullable=False, server_default=sa.false()),
    )
    op.create_table(
        "link_tokens",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("purpose", sa.String(16), nullable=False),
        sa.Column("token_hash", sa.String(64), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "purpose IN ('verify_email', 'password_reset')", name="ck_link_tokens_purpose"
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name="fk_link_tokens_user_id_users", ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_link_tokens"),
        sa.UniqueConstraint("token_hash", name="uq_link_tokens_token_hash"),
    )
    op.create_index("ix_link_tokens_user_id", "link_tokens", ["user_id"])
    op.create_table(
        "mail_asks",
        sa.Column("id", sa.BigInteger(), sa.Identity(), nullable=False),
        sa.Column("key", sa.Text(), nullable=False),
        sa.Column("asked_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_mail_asks"),
    )
    op.create_index("ix_mail_asks_key_asked_at", "mail_asks", ["key", "asked_at"])


def downgrade() -> None:
    op.drop_table("mail_asks")
    op.drop_table("link_tokens")
    op.drop_column("users", "email_verified")
