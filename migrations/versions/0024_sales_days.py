"""Sales days: the reports' rollups, kept in the transactions that change what they count.

- sales_zone: the one time zone whose local days the rollups are cut in (GROCERY_TIMEZONE
  when migrating, else UTC). A report asked in another zone first rebuilds them in it
  (grocery_rebuild_sales_days), under a lock that makes every writer wait and then read
  the new zone.
- product_sales_days: per product and day, the counted lines' units, revenue, tax and the
  distinct orders that had the product (an order falls on one day, so days add up).
- order_sales_days: per day, the counted orders (not cancelled, something sold): how many,
  their units, revenue (final total once picked, else total, less the delivery fee) and tax.
- category_sales_days: per day, the orders that bought from each category, kept by
  triggers on order_categories, which checkout, picking, cancelling and a product's move to
  another category already keep.
- products.tax_sold: the all time tax beside units_sold and revenue_sold.

The two rows every checkout adds to (today's order and category rows) are spread over
`stripe`s by the order's id, so concurrent checkouts seldom wait for each other's commit.
Every writer locks the order's products in id order first (checkout's stock take already
has), then its rollup rows in key order: no deadlock with the stock locks.

grocery_count_sales(order, sign) adds (1) or takes away (-1) what an order counts, read from
its rows whatever its status (the callers know it counts): cancelling takes it away,
completing picking takes it away before the bill is written and adds it back after.
Checkout adds its own inline.

Revision ID: 0024_sales_days
Revises: 0023_slot_bookings
Create Date: 2026-12-02
"""

import os
from collections.abc import Sequence

from alembic import op

revision: str = "0024_sales_days"
down_revision: str | None = "0023_slot_bookings"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ORDER_STRIPES = 32
CATEGORY_STRIPES = 8
DAY = "(o.created_at AT TIME ZONE z.zone)::date"
LINE_TAX = "coalesce(l.final_tax, l.tax)"
ORDER_REVENUE = "coalesce(o.final_total, o.total) - o.delivery_fee"
ORDER_TAX = "coalesce(o.final_tax, o.tax)"


def upgrade() -> None:
    _tables()
    op.execute(
        "UPDATE products p SET tax_sold = s.tax"  # noqa: S608 - constants
        f" FROM (SELECT l.product_id, sum({LINE_TAX}) AS tax"
        "        FROM order_lines l JOIN orders o ON o.id = l.order_id"
        "       WHERE o.status <> 'cancelled' AND l.sold_units > 0"
        "       GROUP BY l.product_id) s"
        " WHERE p.id = s.product_id"
    )
    _rebuild_function()
    _count_function()
    _category_triggers()
    zone = os.environ.get("GROCERY_TIMEZONE") or "UTC"
    op.execute(f"SELECT grocery_rebuild_sales_days('{zone.replace(chr(39), '')}')")


def _tables() -> None:
    op.execute("ALTER TABLE products ADD COLUMN tax_sold numeric(14, 2) NOT NULL DEFAULT 0")
    op.execute(
        "CREATE TABLE sales_zone ("
        " one boolean PRIMARY KEY DEFAULT true CONSTRAINT ck_sales_zone_one CHECK (one),"
        " zone text NOT NULL)"
    )
    op.execute(
        "CREATE TABLE product_sales_days ("
        " product_id uuid NOT NULL, day date NOT NULL, units integer NOT NULL,"
        " revenue numeric(14, 2) NOT NULL, tax numeric(14, 2) NOT NULL, orders integer NOT NULL,"
        " CONSTRAINT pk_product_sales_days PRIMARY KEY (product_id, day))"
    )
    op.execute(
        "CREATE INDEX ix_product_sales_days_day ON product_sales_days (day, product_id)"
        " INCLUDE (units, revenue, tax, orders)"
    )
    op.execute(
        "CREATE TABLE order_sales_days ("
        " day date NOT NULL, stripe smallint NOT NULL, orders integer NOT NULL,"
        " units integer NOT NULL, revenue numeric(14, 2) NOT NULL, tax numeric(14, 2) NOT NULL,"
        " CONSTRAINT pk_order_sales_days PRIMARY KEY (day, stripe))"
    )
    op.execute(
        "CREATE TABLE category_sales_days ("
        " day date NOT NULL, category_id uuid NOT NULL, stripe smallint NOT NULL,"
        " orders integer NOT NULL,"
        " CONSTRAINT pk_category_sales_days PRIMARY KEY (day, category_id, stripe))"
    )


def _rebuild_function() -> None:
    op.execute(
        f"""
        CREATE FUNCTION grocery_rebuild_sales_days(new_zone text) RETURNS void
        LANGUAGE sql AS $$
            LOCK TABLE sales_zone, product_sales_days, order_sales_days, category_sales_days
                IN EXCLUSIVE MODE;
            DELETE FROM sales_zone;
            INSERT INTO sales_zone (zone) VALUES (new_zone);
            DELETE FROM product_sales_days;
            DELETE FROM order_sales_days;
            DELETE FROM category_sales_days;
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
            INSERT INTO category_sales_days (day, category_id, stripe, orders)
            SELECT {DAY}, f.category_id, hashtext(o.id::text) & {CATEGORY_STRIPES - 1}, count(*)
              FROM order_categories f JOIN orders o ON o.id = f.order_id CROSS JOIN sales_zone z
             GROUP BY 1, 2, 3;
        $$
        """  # noqa: S608 - constant text
    )


def _count_function() -> None:
    counted = (
        "FROM orders o JOIN order_lines l ON l.order_id = o.id CROSS JOIN sales_zone z"
        " WHERE o.id = counted AND l.sold_units > 0"
    )
    op.execute(
        f"""
        CREATE FUNCTION grocery_count_sales(counted uuid, sign integer) RETURNS void
        LANGUAGE sql AS $$
            SELECT FROM products
             WHERE id IN (SELECT product_id FROM order_lines WHERE order_id = counted)
             ORDER BY id FOR UPDATE;
            UPDATE products p SET tax_sold = p.tax_sold + sign * s.tax
              FROM (SELECT l.product_id, sum({LINE_TAX}) AS tax {counted}
                     GROUP BY l.product_id) s
             WHERE p.id = s.product_id;
            INSERT INTO product_sales_days AS d (product_id, day, units, revenue, tax, orders)
            SELECT l.product_id, {DAY}, sign * sum(l.sold_units), sign * sum(l.sold_revenue),
                   sign * sum({LINE_TAX}), sign
                   {counted}
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
        $$
        """  # noqa: S608 - constant text
    )


def _category_triggers() -> None:
    for operation, sign, table in (("INSERT", 1, "NEW"), ("DELETE", -1, "OLD")):
        name = operation.lower()
        op.execute(
            f"""
            CREATE FUNCTION grocery_category_sales_days_{name}() RETURNS trigger
            LANGUAGE plpgsql AS $$
            BEGIN
                INSERT INTO category_sales_days AS d (day, category_id, stripe, orders)
                SELECT {DAY}, f.category_id, hashtext(o.id::text) & {CATEGORY_STRIPES - 1},
                       {sign} * count(*)
                  FROM changed f JOIN orders o ON o.id = f.order_id CROSS JOIN sales_zone z
                 GROUP BY 1, 2, 3 ORDER BY 1, 2, 3
                ON CONFLICT (day, category_id, stripe) DO UPDATE
                   SET orders = d.orders + excluded.orders;
                RETURN NULL;
            END
            $$
            """  # noqa: S608 - constant text
        )
        op.execute(
            f"CREATE TRIGGER order_categories_{name}_counted AFTER {operation} ON order_categories"
            f" REFERENCING {table} TABLE AS changed FOR EACH STATEMENT"
            f" EXECUTE FUNCTION grocery_category_sales_days_{name}()"
        )


def downgrade() -> None:
    for name in ("insert", "delete"):
        op.execute(f"DROP TRIGGER order_categories_{name}_counted ON order_categories")
        op.execute(f"DROP FUNCTION grocery_category_sales_days_{name}()")
    op.execute("DROP FUNCTION grocery_count_sales(uuid, integer)")
    op.execute("DROP FUNCTION grocery_rebuild_sales_days(text)")
    op.execute("DROP TABLE category_sales_days, order_sales_days, product_sales_days, sales_zone")
    op.execute("ALTER TABLE products DROP COLUMN tax_sold")
