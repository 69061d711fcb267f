"""What each product sold in the trailing 30 local days, on its own row, so the report of
the whole catalog's least sold in the last 30 days reads the first 50 of an index instead of
summing some 600,000 product days (at 10,000,000 order lines) to keep 50.

- products.recent_units and recent_orders: product_sales_days' units and orders summed over
  the days from sales_zone.recent_from on (NULL: not kept yet; the report then sums);
- ix_products_recent_rank: the products by those units, ties by name and id, as the report
  ranks them.

Who keeps them, every writer on the product rows it holds locked:
- checkout, in the update of the products' counters it already makes (today is always in);
- grocery_count_sales (picking completion, cancelling), for an order of a day in the window;
- grocery_roll_recent_sales (a server's housekeeping, now and then): when the local day
  turned, it takes off the days that left the window and moves recent_from; when recent_from
  is NULL (a change of zone rebuilt the days: sales_zone's row is new), it sums the window.
  It locks sales_zone's row (one roll at a time), then the rows of the products it changes,
  in id order as checkout does, and only then reads the days: every picking or cancelling
  of an order on a day leaving the window holds one of those products (the order's own days
  are among the ones read), so it either committed before the days are read or waits and
  then finds its day outside the new window. Any other order's day is in both windows or
  in neither, so it needs no lock of sales_zone's row.

Revision ID: 0030_recent_sales
Revises: 0029_report_ranks
Create Date: 2026-12-03
"""

import importlib.util
from collections.abc import Sequence
from pathlib import Path
from types import ModuleType

from alembic import op

revision: str = "0030_recent_sales"
down_revision: str | None = "0029_report_ranks"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

RECENT_DAYS = 30  # the back office's and the bench's "last 30 days": today and the 29 before
ORDER_STRIPES = 32
DAY = "(o.created_at AT TIME ZONE z.zone)::date"
LINE_TAX = "coalesce(l.final_tax, l.tax)"
ORDER_REVENUE = "coalesce(o.final_total, o.total) - o.delivery_fee"
ORDER_TAX = "coalesce(o.final_tax, o.tax)"
RECENT = f"{DAY} >= z.recent_from"  # NULL (not kept) counts as out


def upgrade() -> None:
    op.execute(
        "ALTER TABLE products"
        " ADD COLUMN recent_units integer NOT NULL DEFAULT 0"
        " CONSTRAINT ck_products_recent_units_not_negative CHECK (recent_units >= 0),"
        " ADD COLUMN recent_orders integer NOT NULL DEFAULT 0"
        " CONSTRAINT ck_products_recent_orders_not_negative CHECK (recent_orders >= 0)"
    )
    op.execute("CREATE INDEX ix_products_recent_rank ON products (recent_units, name, id)")
    op.execute("ALTER TABLE sales_zone ADD COLUMN recent_from date")
    _roll_function()
    _count_function()
    op.execute("SELECT grocery_roll_recent_sales()")


def _roll_function() -> None:
    # A look without a lock first: most calls find the window current. The moment is now
    # but for tests.
    op.execute(
        f"""
        CREATE FUNCTION grocery_roll_recent_sales(moment timestamptz DEFAULT now()) RETURNS void
        LANGUAGE plpgsql AS $$
        DECLARE
            kept_from date;
            new_from date;
        BEGIN
            SELECT recent_from, (moment AT TIME ZONE zone)::date - {RECENT_DAYS - 1}
              INTO kept_from, new_from FROM sales_zone;
            IF kept_from = new_from THEN
                RETURN;
            END IF;
            SELECT recent_from, (moment AT TIME ZONE zone)::date - {RECENT_DAYS - 1}
              INTO kept_from, new_from FROM sales_zone FOR UPDATE;
            IF kept_from = new_from THEN
                RETURN;
            ELSIF kept_from IS NULL OR kept_from > new_from THEN
                PERFORM FROM products ORDER BY id FOR UPDATE;
                UPDATE products p
                   SET recent_units = coalesce(s.units, 0), recent_orders = coalesce(s.orders, 0)
                  FROM products q LEFT JOIN (
                        SELECT product_id, sum(units) AS units, sum(orders) AS orders
                          FROM product_sales_days WHERE day >= new_from GROUP BY product_id
                       ) s ON s.product_id = q.id
                 WHERE p.id = q.id
                   AND (p.recent_units, p.recent_orders)
                       IS DISTINCT FROM (coalesce(s.units, 0), coalesce(s.orders, 0));
            ELSE
                PERFORM FROM products
                 WHERE id IN (SELECT product_id FROM product_sales_days
                               WHERE day >= kept_from AND day < new_from)
                 ORDER BY id FOR UPDATE;
                UPDATE products p
                   SET recent_units = p.recent_units - s.units,
                       recent_orders = p.recent_orders - s.orders
                  FROM (SELECT product_id, sum(units) AS units, sum(orders) AS orders
                          FROM product_sales_days WHERE day >= kept_from AND day < new_from
                         GROUP BY product_id) s
                 WHERE p.id = s.product_id AND (s.units <> 0 OR s.orders <> 0);
            END IF;
            UPDATE sales_zone SET recent_from = new_from;
        END
        $$
        """  # noqa: S608 - constant text
    )


def _count_function() -> None:
    # 0027's function, the products' recent counters moved with their tax for an order of
    # a day in the window.
    lines = (
        "FROM orders o JOIN order_lines l ON l.order_id = o.id CROSS JOIN sales_zone z"
        " WHERE o.id = counted AND l.sold_units > 0"
    )
    op.execute(
        f"""
        CREATE OR REPLACE FUNCTION grocery_count_sales(counted uuid, sign integer) RETURNS void
        LANGUAGE sql AS $$
            SELECT FROM products
             WHERE id IN (SELECT product_id FROM order_lines WHERE order_id = counted)
             ORDER BY id FOR UPDATE;
            UPDATE products p
               SET tax_sold = p.tax_sold + sign * s.tax,
                   recent_units = p.recent_units + sign * s.recent_units,
                   recent_orders = p.recent_orders + sign * s.recent_orders
              FROM (SELECT l.product_id, sum({LINE_TAX}) AS tax,
                           sum(CASE WHEN {RECENT} THEN l.sold_units ELSE 0 END) AS recent_units,
                           max(CASE WHEN {RECENT} THEN 1 ELSE 0 END) AS recent_orders
                           {lines}
                     GROUP BY l.product_id) s
             WHERE p.id = s.product_id;
            INSERT INTO product_sales_days AS d (product_id, day, units, revenue, tax, orders)
            SELECT l.product_id, {DAY}, sign * sum(l.sold_units), sign * sum(l.sold_revenue),
                   sign * sum({LINE_TAX}), sign
                   {lines}
             GROUP BY 1, 2 ORDER BY 1, 2
            ON CONFLICT (product_id, day) DO UPDATE
               SET units = d.units + excluded.units, revenue = d.revenue + excluded.revenue,
                   tax = d.tax + excluded.tax, orders = d.orders + excluded.orders;
            INSERT INTO order_sales_days AS d (day, stripe, orders, units, revenue, tax)
            SELECT {DAY}, hashtext(o.id::text) & {ORDER_STRIPES - 1}, sign, sign * o.units,
                   sign * ({ORDER_REVENUE}), sign * {ORDER_TAX}
              FROM orders o CROSS JOIN sales_zone z
             WHERE o.id = counted AND o.units > 0
            ON CONFLICT (day, stripe) DO UPDATE
               SET orders = d.orders + excluded.orders, units = d.units + excluded.units,
                   revenue = d.revenue + excluded.revenue, tax = d.tax + excluded.tax;
            SELECT grocery_count_category_sales(counted, sign);
        $$
        """  # noqa: S608 - constant text
    )


def downgrade() -> None:
    op.execute("DROP FUNCTION grocery_roll_recent_sales(timestamptz)")
    # 0027's functions as they were, from its own module.
    op.execute("DROP FUNCTION grocery_count_category_sales(uuid, integer)")
    _category_sales()._count_function()
    op.execute("ALTER TABLE sales_zone DROP COLUMN recent_from")
    op.execute("DROP INDEX ix_products_recent_rank")
    op.execute("ALTER TABLE products DROP COLUMN recent_units, DROP COLUMN recent_orders")


def _category_sales() -> ModuleType:
    path = Path(__file__).with_name("0027_category_sales.py")
    spec = importlib.util.spec_from_file_location("category_sales_0027", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module
