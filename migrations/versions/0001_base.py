"""Base: the extensions search needs, and an immutable unaccent for indexes.

Revision ID: 0001_base
Revises:
Create Date: 2026-11-25
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0001_base"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Both are trusted extensions: a database owner without superuser (RDS) may create them.
    op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    op.execute("CREATE EXTENSION IF NOT EXISTS unaccent")
    # unaccent() is STABLE (it reads a dictionary); indexes need an IMMUTABLE wrapper
    # that names the dictionary explicitly.
    op.execute(
        """
        CREATE OR REPLACE FUNCTION grocery_unaccent(value text) RETURNS text
        LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
        RETURN public.unaccent('public.unaccent'::regdictionary, value)
        """
    )


def downgrade() -> None:
    op.execute("DROP FUNCTION IF EXISTS grocery_unaccent(text)")
    op.execute("DROP EXTENSION IF EXISTS unaccent")
    op.execute("DROP EXTENSION IF EXISTS pg_trgm")
