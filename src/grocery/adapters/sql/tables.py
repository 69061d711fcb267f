"""Imports every row module so the metadata knows all tables (Alembic, tests)."""

from grocery.adapters.sql import (
    accounts,  # noqa: F401
    carts,  # noqa: F401
    catalog,  # noqa: F401
)
