"""Low-stock alerts: at most one open per product."""

from __future__ import annotations

from sqlalchemy import Column, DateTime, ForeignKey, Index, Integer, Table, Uuid

from grocery.adapters.sql.schema.metadata import metadata

low_stock_alerts = Table(
    "low_stock_alerts",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column(
        "product_id",
        Uuid,
        ForeignKey("products.id", ondelete="CASCADE"),
        nullable=False,
        index=True,
    ),
    Column("stock", Integer, nullable=False),
    Column("threshold", Integer, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("resolved_at", DateTime(timezone=True)),
)
OPEN_ALERT_INDEX = "uq_low_stock_alerts_open_product_id"
OPEN = low_stock_alerts.c.resolved_at.is_(None)
Index(OPEN_ALERT_INDEX, low_stock_alerts.c.product_id, unique=True, postgresql_where=OPEN)
Index("ix_low_stock_alerts_open_newest", low_stock_alerts.c.id.desc(), postgresql_where=OPEN)
