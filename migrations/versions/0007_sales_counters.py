"""Sales counters: what every product has sold, and which categories every order bought from,
kept as orders are placed and cancelled, so all-time reports read no order lines.

- products.revenue_sold and products.orders_sold beside units_sold; checkout adds an order's
  lines to them and cancellation takes them off, in the same transaction as the stock.
- order_categories: one row per (order, category it bought from), for the orders counted
  (cancellation deletes them). A category's distinct orders can't be summed from its
  products' counters (one order may hold several of them), so they are counted here.
  Reports use each product's current category, so when a product moves, a trigger moves its
  orders' rows with it: an order leaves the old category unless another of its products is
  still there, and joins the new one.
- ix_products_sales_rank (units_sold, name, id): the all-time report by product ranks from it
  (most: backward, ties sorted within each equal units_sold; least: as stored).
- ix_orders_cancelled goes: only the all-time reports' scan of every line used it.
- The backfill makes all three counters agree with the order lines not cancelled (units_sold
  already should: checkout has kept it) and fills order_categories.

Revision ID: 0007_sales_counters
Revises: 0006_reports
Create Date: 2026-11-28
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0007_sales_counters"
down_revision: str | None = "0006_reports"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.execute(
        "ALTER TABLE products"
        " ADD COLUMN revenue_sold numeric(14, 2) NOT NULL DEFAULT 0,"
        " ADD COLUMN orders_sold integer NOT NULL DEFAULT 0,"
        " ADD CONSTRAINT ck_products_revenue_sold_not_negative CHECK (revenue_sold >= 0),"
        " ADD CONSTRAINT ck_products_orders_sold_not_negative CHECK (orders_sold >= 0)"
    )
    # No foreign key to categories: each checkout would share-lock its categories' rows,
    # and every checkout buys from the same few. Rows go with their order.
    op.execute(
        """
        CREATE TABLE order_categories (
            order_id uuid NOT NULL,
            category_id uuid NOT NULL,
            CONSTRAINT pk_order_categories PRIMARY KEY (order_id, category_id),
            CONSTRAINT fk_order_categories_order_id_orders FOREIGN KEY (order_id)
                REFERENCES orders (id) ON DELETE CASCADE
        )
        """
    )
    op.execute("CREATE INDEX ix_order_categories_category_id ON order_categories (category_id)")
    op.execute("CREATE INDEX ix_products_sales_rank ON products (units_sold, name, id)")
    op.execute("DROP INDEX ix_orders_cancelled")
    _backfill()
    _follow_category_moves()


def _backfill() -> None:
    op.execute(
        """
        UPDATE products p
           SET units_sold = coalesce(s.units, 0),
               revenue_sold = coalesce(s.revenue, 0),
               orders_sold = coalesce(s.orders, 0)
          FROM products listed
          LEFT JOIN (SELECT l.product_id, sum(l.quantity) AS units,
                            sum(l.line_total) AS revenue, count(DISTINCT l.order_id) AS orders
                       FROM order_lines l JOIN orders o ON o.id = l.order_id
                      WHERE o.status <> 'cancelled'
                      GROUP BY l.product_id) s ON s.product_id = listed.id
         WHERE p.id = listed.id
           AND (p.units_sold, p.revenue_sold, p.orders_sold)
               IS DISTINCT FROM (coalesce(s.units, 0), coalesce(s.revenue, 0), coalesce(s.orders, 0))
        """
    )
    op.execute(
        """
        INSERT INTO order_categories (order_id, category_id)
        SELECT DISTINCT l.order_id, p.category_id
          FROM order_lines l
          JOIN orders o ON o.id = l.order_id
          JOIN products p ON p.id = l.product_id
         WHERE o.status <> 'cancelled'
        """
    )


def _follow_category_moves() -> None:
    # Two moves that share a category take turns (an advisory lock per category, smaller key
    # first): under READ COMMITTED each statement below then sees where the other's product
    # now is. Without it, two products of one order leaving a category together would each
    # see the other still there, and the order would stay counted in it.
    op.execute(
        """
        CREATE FUNCTION grocery_order_categories_follow_product() RETURNS trigger
        LANGUAGE plpgsql AS $$
        DECLARE
            guarded int := hashtext('order_categories');  -- the locks' class
            old_key int := hashtext(OLD.category_id::text);
            new_key int := hashtext(NEW.category_id::text);
        BEGIN
            PERFORM pg_advisory_xact_lock(guarded, least(old_key, new_key));
            PERFORM pg_advisory_xact_lock(guarded, greatest(old_key, new_key));
            DELETE FROM order_categories f
             USING order_lines l
             WHERE l.product_id = NEW.id
               AND f.order_id = l.order_id
               AND f.category_id = OLD.category_id
               AND NOT EXISTS (
                   SELECT FROM order_lines other JOIN products p ON p.id = other.product_id
                    WHERE other.order_id = f.order_id AND p.category_id = OLD.category_id);
            INSERT INTO order_categories (order_id, category_id)
            SELECT DISTINCT l.order_id, NEW.category_id
              FROM order_lines l JOIN orders o ON o.id = l.order_id
             WHERE l.product_id = NEW.id AND o.status <> 'cancelled'
            ON CONFLICT DO NOTHING;
            RETURN NULL;
        END
        $$
        """
    )
    op.execute(
        """
        CREATE TRIGGER products_category_moved AFTER UPDATE OF category_id ON products
        FOR EACH ROW WHEN (OLD.category_id IS DISTINCT FROM NEW.category_id)
        EXECUTE FUNCTION grocery_order_categories_follow_product()
        """
    )


def downgrade() -> None:
    op.execute("DROP TRIGGER IF EXISTS products_category_moved ON products")
    op.execute("DROP FUNCTION IF EXISTS grocery_order_categories_follow_product()")
    op.execute("DROP TABLE IF EXISTS order_categories")
    op.execute("DROP INDEX IF EXISTS ix_products_sales_rank")
    op.execute("CREATE INDEX ix_orders_cancelled ON orders (id) WHERE status = 'cancelled'")
    op.execute(
        "ALTER TABLE products"
        " DROP CONSTRAINT IF EXISTS ck_products_orders_sold_not_negative,"
        " DROP CONSTRAINT IF EXISTS ck_products_revenue_sold_not_negative,"
        " DROP COLUMN IF EXISTS orders_sold,"
        " DROP COLUMN IF EXISTS revenue_sold"
    )
