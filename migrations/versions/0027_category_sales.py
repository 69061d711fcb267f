"""Category sales: the categories' units, revenue and tax beside their orders, per day and
per month, so the reports by category and one category's over time read a few rows per
category instead of summing every product's counters or days.

- category_sales_days gains units, revenue and tax: the counted lines' (sold something, of
  an order not cancelled) of the products the category holds now, on the order's local day
  and stripe (as its orders).
- category_sales_months: the same per local month (the first day of the month); all time
  and the whole months of a long range are read from it.

Who keeps them:
- orders, days and months: the order_categories triggers of 0024 (checkout, picking,
  cancelling and a product's move already keep order_categories);
- units, revenue and tax: checkout in its one statement, grocery_count_sales (picking
  completion and cancellation), and a product's move to another category, which moves its
  product days from the old category to the new (on stripe 0: only the stripes' sums mean
  anything).
Every writer takes the day rows before the month rows, each in key order, after the
order's product rows: no deadlock with checkout's stock take.

The rollups are rebuilt from the lines by grocery_rebuild_sales_days, now with these.

Revision ID: 0027_category_sales
Revises: 0026_catalog_notify
Create Date: 2026-12-03
"""

import importlib.util
from collections.abc import Sequence
from pathlib import Path
from types import ModuleType

from alembic import op

revision: str = "0027_category_sales"
down_revision: str | None = "0026_catalog_notify"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ORDER_STRIPES = 32
CATEGORY_STRIPES = 8
DAY = "(o.created_at AT TIME ZONE z.zone)::date"
MONTH = "date_trunc('month', {day})::date"
LINE_TAX = "coalesce(l.final_tax, l.tax)"
ORDER_REVENUE = "coalesce(o.final_total, o.total) - o.delivery_fee"
ORDER_TAX = "coalesce(o.final_tax, o.tax)"
STRIPE = f"hashtext(o.id::text) & {CATEGORY_STRIPES - 1}"
ADDED = (
    "units = d.units + excluded.units, revenue = d.revenue + excluded.revenue,"
    " tax = d.tax + excluded.tax"
)


def upgrade() -> None:
    op.execute(
        "ALTER TABLE category_sales_days"
        " ALTER COLUMN orders SET DEFAULT 0,"
        " ADD COLUMN units integer NOT NULL DEFAULT 0,"
        " ADD COLUMN revenue numeric(14, 2) NOT NULL DEFAULT 0,"
        " ADD COLUMN tax numeric(14, 2) NOT NULL DEFAULT 0"
    )
    op.execute(
        "CREATE TABLE category_sales_months ("
        " month date NOT NULL, category_id uuid NOT NULL, stripe smallint NOT NULL,"
        " orders integer NOT NULL DEFAULT 0, units integer NOT NULL DEFAULT 0,"
        " revenue numeric(14, 2) NOT NULL DEFAULT 0, tax numeric(14, 2) NOT NULL DEFAULT 0,"
        " CONSTRAINT pk_category_sales_months PRIMARY KEY (month, category_id, stripe))"
    )
    # One category over time reads its own days, not every category's.
    op.execute(
        "CREATE INDEX ix_category_sales_days_category ON category_sales_days (category_id, day)"
    )
    _rebuild_function()
    _count_function()
    _category_triggers()
    _follow_moves()
    op.execute("SELECT grocery_rebuild_category_sales()")


def _rebuild_function() -> None:
    # Orders from order_categories (as its triggers keep them), the rest from the lines.
    op.execute(
        f"""
        CREATE FUNCTION grocery_rebuild_category_sales() RETURNS void
        LANGUAGE sql AS $$
            LOCK TABLE category_sales_days, category_sales_months IN EXCLUSIVE MODE;
            DELETE FROM category_sales_days;
            DELETE FROM category_sales_months;
            INSERT INTO category_sales_days (day, category_id, stripe, orders, units, revenue, tax)
            SELECT day, category_id, stripe, coalesce(b.orders, 0), coalesce(s.units, 0),
                   coalesce(s.revenue, 0), coalesce(s.tax, 0)
              FROM (SELECT {DAY} AS day, f.category_id, {STRIPE} AS stripe, count(*) AS orders
                      FROM order_categories f JOIN orders o ON o.id = f.order_id
                     CROSS JOIN sales_zone z GROUP BY 1, 2, 3) b
              FULL JOIN (
                    SELECT {DAY} AS day, p.category_id, {STRIPE} AS stripe,
                           sum(l.sold_units) AS units, sum(l.sold_revenue) AS revenue,
                           sum({LINE_TAX}) AS tax
                      FROM orders o JOIN order_lines l ON l.order_id = o.id
                      JOIN products p ON p.id = l.product_id CROSS JOIN sales_zone z
                     WHERE o.status <> 'cancelled' AND l.sold_units > 0
                     GROUP BY 1, 2, 3) s USING (day, category_id, stripe);
            INSERT INTO category_sales_months
                   (month, category_id, stripe, orders, units, revenue, tax)
            SELECT date_trunc('month', day)::date, category_id, stripe, sum(orders), sum(units),
                   sum(revenue), sum(tax)
              FROM category_sales_days GROUP BY 1, 2, 3;
        $$
        """  # noqa: S608 - constant text
    )
    # A change of zone rebuilds them with the rest: 0024's function, its category days
    # now left to the one above.
    op.execute(
        f"""
        CREATE OR REPLACE FUNCTION grocery_rebuild_sales_days(new_zone text) RETURNS void
        LANGUAGE sql AS $$
            LOCK TABLE sales_zone, product_sales_days, order_sales_days, category_sales_days,
                       category_sales_months IN EXCLUSIVE MODE;
            DELETE FROM sales_zone;
            INSERT INTO sales_zone (zone) VALUES (new_zone);
            DELETE FROM product_sales_days;
            DELETE FROM order_sales_days;
            INSERT INTO product_sales_days (product_id, day, units, revenue, tax, orders)
            SELECT l.product_id, {DAY}, sum(l.sold_units), sum(l.sold_revenue),
                   sum({LINE_TAX}), count(DISTINCT l.order_id)
              FROM orders o JOIN order_lines l ON l.order_id = o.id CROSS JOIN sales_zone z
             WHERE o.status <> 'cancelled' AND l.sold_units > 0
             GROUP BY 1, 2;
            INSERT INTO order_sales_days (day, stripe, orders, units, revenue, tax)
            SELECT {DAY}, hashtext(o.id::text) & {ORDER_STRIPES - 1}, count(*), sum(o.units),
                   sum({ORDER_REVENUE}), sum({ORDER_TAX})
              FROM orders o CROSS JOIN sales_zone z
             WHERE o.status <> 'cancelled' AND o.units > 0
             GROUP BY 1, 2;
            SELECT grocery_rebuild_category_sales();
        $$
        """  # noqa: S608 - constant text
    )


def _count_function() -> None:
    lines = (
        "FROM orders o JOIN order_lines l ON l.order_id = o.id CROSS JOIN sales_zone z"
        " WHERE o.id = counted AND l.sold_units > 0"
    )
    counted = lines.replace(" CROSS", " JOIN products p ON p.id = l.product_id CROSS")
    op.execute(
        f"""
        CREATE FUNCTION grocery_count_category_sales(counted uuid, sign integer) RETURNS void
        LANGUAGE sql AS $$
            INSERT INTO category_sales_days AS d (day, category_id, stripe, units, revenue, tax)
            SELECT {DAY}, p.category_id, {STRIPE}, sign * sum(l.sold_units),
                   sign * sum(l.sold_revenue), sign * sum({LINE_TAX})
                   {counted}
             GROUP BY 1, 2, 3 ORDER BY 1, 2, 3
            ON CONFLICT (day, category_id, stripe) DO UPDATE SET {ADDED};
            INSERT INTO category_sales_months AS d (month, category_id, stripe, units, revenue, tax)
            SELECT {MONTH.format(day=DAY)}, p.category_id, {STRIPE}, sign * sum(l.sold_units),
                   sign * sum(l.sold_revenue), sign * sum({LINE_TAX})
                   {counted}
             GROUP BY 1, 2, 3 ORDER BY 1, 2, 3
            ON CONFLICT (month, category_id, stripe) DO UPDATE SET {ADDED};
        $$
        """  # noqa: S608 - constant text
    )
    # 0024's function, which picking completion and cancelling call, counts them too.
    op.execute(
        f"""
        CREATE OR REPLACE FUNCTION grocery_count_sales(counted uuid, sign integer) RETURNS void
        LANGUAGE sql AS $$
            SELECT FROM products
             WHERE id IN (SELECT product_id FROM order_lines WHERE order_id = counted)
             ORDER BY id FOR UPDATE;
            UPDATE products p SET tax_sold = p.tax_sold + sign * s.tax
              FROM (SELECT l.product_id, sum({LINE_TAX}) AS tax {lines}
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


def _category_triggers() -> None:
    # 0024's triggers on order_categories count the orders of the month too.
    for name, sign in (("insert", 1), ("delete", -1)):
        op.execute(
            f"""
            CREATE OR REPLACE FUNCTION grocery_category_sales_days_{name}() RETURNS trigger
            LANGUAGE plpgsql AS $$
            BEGIN
                INSERT INTO category_sales_days AS d (day, category_id, stripe, orders)
                SELECT {DAY}, f.category_id, {STRIPE}, {sign} * count(*)
                  FROM changed f JOIN orders o ON o.id = f.order_id CROSS JOIN sales_zone z
                 GROUP BY 1, 2, 3 ORDER BY 1, 2, 3
                ON CONFLICT (day, category_id, stripe) DO UPDATE
                   SET orders = d.orders + excluded.orders;
                INSERT INTO category_sales_months AS d (month, category_id, stripe, orders)
                SELECT {MONTH.format(day=DAY)}, f.category_id, {STRIPE}, {sign} * count(*)
                  FROM changed f JOIN orders o ON o.id = f.order_id CROSS JOIN sales_zone z
                 GROUP BY 1, 2, 3 ORDER BY 1, 2, 3
                ON CONFLICT (month, category_id, stripe) DO UPDATE
                   SET orders = d.orders + excluded.orders;
                RETURN NULL;
            END
            $$
            """  # noqa: S608 - constant text
        )


def _follow_moves() -> None:
    # The moved product's days leave its old category for the new one in one statement per
    # rollup, the rows in key order (the product's row is locked by the move itself).
    moved = (
        "SELECT {key}, c.category_id, 0, c.sign * sum(d.units), c.sign * sum(d.revenue),"
        "       c.sign * sum(d.tax)"
        "  FROM product_sales_days d"
        " CROSS JOIN (VALUES (OLD.category_id, -1), (NEW.category_id, 1)) c (category_id, sign)"
        " WHERE d.product_id = NEW.id"
        " GROUP BY 1, 2, c.sign ORDER BY 1, 2"
    )
    op.execute(
        f"""
        CREATE FUNCTION grocery_category_sales_follow_product() RETURNS trigger
        LANGUAGE plpgsql AS $$
        BEGIN
            INSERT INTO category_sales_days AS d (day, category_id, stripe, units, revenue, tax)
            {moved.format(key="d.day")}
            ON CONFLICT (day, category_id, stripe) DO UPDATE SET {ADDED};
            INSERT INTO category_sales_months AS d (month, category_id, stripe, units, revenue, tax)
            {moved.format(key=MONTH.format(day="d.day"))}
            ON CONFLICT (month, category_id, stripe) DO UPDATE SET {ADDED};
            RETURN NULL;
        END
        $$
        """  # noqa: S608 - constant text
    )
    op.execute(
        """
        CREATE TRIGGER products_category_sales_moved AFTER UPDATE OF category_id ON products
        FOR EACH ROW WHEN (OLD.category_id IS DISTINCT FROM NEW.category_id)
        EXECUTE FUNCTION grocery_category_sales_follow_product()
        """
    )


def downgrade() -> None:
    op.execute("DROP TRIGGER products_category_sales_moved ON products")
    op.execute("DROP FUNCTION grocery_category_sales_follow_product()")
    op.execute("DROP INDEX ix_category_sales_days_category")
    op.execute(
        "ALTER TABLE category_sales_days ALTER COLUMN orders DROP DEFAULT,"
        " DROP COLUMN units, DROP COLUMN revenue, DROP COLUMN tax"
    )
    op.execute("DROP TABLE category_sales_months")
    # 0024's functions as they were, from its own module.
    for name in ("insert", "delete"):
        op.execute(f"DROP TRIGGER order_categories_{name}_counted ON order_categories")
        op.execute(f"DROP FUNCTION grocery_category_sales_days_{name}()")
    op.execute("DROP FUNCTION grocery_count_sales(uuid, integer)")
    op.execute("DROP FUNCTION grocery_rebuild_sales_days(text)")
    op.execute("DROP FUNCTION grocery_count_category_sales(uuid, integer)")
    op.execute("DROP FUNCTION grocery_rebuild_category_sales()")
    sales_days = _sales_days()
    sales_days._rebuild_function()
    sales_days._count_function()
    sales_days._category_triggers()


def _sales_days() -> ModuleType:
    path = Path(__file__).with_name("0024_sales_days.py")
    spec = importlib.util.spec_from_file_location("sales_days_0024", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module
