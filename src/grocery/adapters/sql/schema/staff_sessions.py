"""The back office's sessions: what a signed-in staff member's session cookie stands for."""

from __future__ import annotations

from sqlalchemy import Column, DateTime, LargeBinary, String, Table

from grocery.adapters.sql.schema.metadata import metadata

staff_sessions = Table(
    "staff_sessions",
    metadata,
    Column("id", String(128), primary_key=True),  # the cookie's random value
    Column("data", LargeBinary, nullable=False),
    Column("expires_at", DateTime(timezone=True), nullable=False, index=True),
)
