"""Accounts: users, refresh tokens, failed sign-ins, mailed link tokens and asks for them."""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Column,
    DateTime,
    ForeignKey,
    Identity,
    Index,
    String,
    Table,
    Text,
    Uuid,
    false,
    func,
)

from grocery.adapters.sql.schema.metadata import metadata, sql_choices
from grocery.core.account_links import LinkPurpose
from grocery.core.identity import Role

ROLES_SQL = sql_choices(Role)

users = Table(
    "users",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("email", String(254), nullable=False, unique=True),
    Column("username", String(40), nullable=False),
    Column("password_hash", String(255), nullable=False),
    Column("role", String(16), nullable=False),
    Column("is_active", Boolean, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("email_verified", Boolean, nullable=False, server_default=false()),
    CheckConstraint(f"role IN ({ROLES_SQL})", name="role"),
)
# Usernames keep their case but are unique case-insensitively (see identity.username_key).
USERNAME_KEY_INDEX = "uq_users_username_key"
Index(USERNAME_KEY_INDEX, func.lower(users.c.username), unique=True)
# An admin's search for part of a username or email (LIKE '%part%' on the lowercased text).
for _name in ("username", "email"):
    Index(
        f"ix_users_{_name}_trgm",
        func.lower(users.c[_name]).label(_name),
        postgresql_using="gin",
        postgresql_ops={_name: "gin_trgm_ops"},
    )

refresh_tokens = Table(
    "refresh_tokens",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("family_id", Uuid, nullable=False, index=True),
    Column("user_id", Uuid, ForeignKey("users.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("token_hash", String(64), nullable=False, unique=True),
    Column("expires_at", DateTime(timezone=True), nullable=False),
    Column("spent_at", DateTime(timezone=True)),
    Column("revoked_at", DateTime(timezone=True)),
)

login_failures = Table(
    "login_failures",
    metadata,
    Column("id", BigInteger, Identity(), primary_key=True),
    Column("user_id", Uuid, ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
    Column("failed_at", DateTime(timezone=True), nullable=False),
    Index("ix_login_failures_user_id_failed_at", "user_id", "failed_at"),
)

PURPOSES_SQL = sql_choices(LinkPurpose)

# Tokens of the links mailed to customers (confirm the address, reset the password): only
# their SHA-256 is kept; a use sets used_at, so each works once.
link_tokens = Table(
    "link_tokens",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("user_id", Uuid, ForeignKey("users.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("purpose", String(16), nullable=False),
    Column("token_hash", String(64), nullable=False, unique=True),
    Column("expires_at", DateTime(timezone=True), nullable=False),
    Column("used_at", DateTime(timezone=True)),
    CheckConstraint(f"purpose IN ({PURPOSES_SQL})", name="purpose"),
)

# Asks for a mailed link, by key ("address:<email>", "client:<ip>"): the mail throttle.
mail_asks = Table(
    "mail_asks",
    metadata,
    Column("id", BigInteger, Identity(), primary_key=True),
    Column("key", Text, nullable=False),
    Column("asked_at", DateTime(timezone=True), nullable=False),
    Index("ix_mail_asks_key_asked_at", "key", "asked_at"),
)
