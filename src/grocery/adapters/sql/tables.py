"""Imports every row module so the metadata knows all tables (Alembic, tests)."""

from grocery.adapters.sql import (
    accounts,  # noqa: F401
    carts,  # noqa: F401
    catalog,  # noqa: F401
    orders,  # noqa: F401
    reports,  # noqa: F401 - its indexes on orders and order lines
)
