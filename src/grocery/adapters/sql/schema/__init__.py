"""Every table of the shop, one module per area, all on one `metadata`.

Importing this package defines them all, so `schema.metadata` is whole wherever it is used
(Alembic's env.py, the migration tests). Repositories import their tables from the area's
module; nothing here imports a repository.
"""

from grocery.adapters.sql.schema import (
    accounts,
    addresses,
    alerts,
    carts,
    catalog,
    fulfilment,
    idempotency,
    orders,
    outbox,
    payments,
    promotions,
    reports,
    restock,
    staff_sessions,
    stock,
    taxes,
    wishlists,
)
from grocery.adapters.sql.schema.metadata import metadata

__all__ = [
    "accounts",
    "addresses",
    "alerts",
    "carts",
    "catalog",
    "fulfilment",
    "idempotency",
    "metadata",
    "orders",
    "outbox",
    "payments",
    "promotions",
    "reports",
    "restock",
    "staff_sessions",
    "stock",
    "taxes",
    "wishlists",
]
