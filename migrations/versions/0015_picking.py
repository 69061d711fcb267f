"""Picking: weighed products, substitution choices, picks and the final bill, and the stock
ledger.

- products.sold_by ('each' for every product so far) and step_kg (weighed products only).
- cart_items.substitution ('allow' so far) and preferred_substitute_id.
- order_lines keep what checkout knew (the product's category, a weighed line's step and
  price per kg, the substitution choice) and what picking recorded (picked quantity and
  weight, the billed amounts). A substitute is a row of its own, `substitute_for` its line.
  sold_units and sold_revenue are what a row counts in sales: what was ordered until picking
  completes, then what was handed over; the reports and the sales counters read them.
- orders.final_subtotal/final_discount/final_total and picked_at, set when picking
  completes (the checkout's amounts stay where they were); an order may end with no units.
- stock_movements: one row per stock change. Every product's stock so far becomes its
  `initial` movement, so stock = the sum of its movements holds for old data too.
- The trigger that keeps order_categories when a product changes category counts only
  lines that sold something.

Revision ID: 0015_picking
Revises: 0014_restock_requests
Create Date: 2026-12-02
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0015_picking"
down_revision: str | None = "0014_restock_requests"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

KINDS = (
    "'initial', 'sale', 'cancellation', 'picking_return', 'substitution', 'receipt', 'adjustment'"
)
# A UUID v7 made in SQL (PostgreSQL 15 has no uuidv7()): the time in ms, then random bits,
# so the backfilled movements sort before every later one, as ids do.
UUID7 = (
    "(lpad(to_hex((extract(epoch FROM clock_timestamp()) * 1000)::bigint), 12, '0')"
    " || '7' || substr(md5(random()::text), 1, 3)"
    " || to_hex(8 + floor(random() * 4)::int) || substr(md5(random()::text), 1, 15))::uuid"
)


def upgrade() -> None:
    _weighed_products()
    _cart_choices()
    _order_lines()
    _orders()
    _stock_movements()
    _count_sold_lines_only(sold_only=True)


def _weighed_products() -> None:
    op.execute(
        "ALTER TABLE products"
        " ADD COLUMN sold_by text NOT NULL DEFAULT 'each',"
        " ADD COLUMN step_kg numeric(6, 3),"
        " ADD CONSTRAINT ck_products_sold_by CHECK (sold_by IN ('each', 'weight')),"
        " ADD CONSTRAINT ck_products_step_kg"
        "  CHECK ((sold_by = 'weight') = (step_kg IS NOT NULL) AND (step_kg IS NULL OR step_kg > 0)),"
        " ADD CONSTRAINT ck_products_weighed_in_kg CHECK (sold_by = 'each' OR unit = 'kg')"
    )


def _cart_choices() -> None:
    op.execute(
        "ALTER TABLE cart_items"
        " ADD COLUMN substitution text NOT NULL DEFAULT 'allow',"
        " ADD COLUMN preferred_substitute_id uuid,"
        " ADD CONSTRAINT ck_cart_items_substitution CHECK (substitution IN ('allow', 'none')),"
        " ADD CONSTRAINT fk_cart_items_preferred_substitute_id_products"
        "  FOREIGN KEY (preferred_substitute_id) REFERENCES products (id) ON DELETE SET NULL"
    )
    op.execute(
        "CREATE INDEX ix_cart_items_preferred_substitute_id ON cart_items (preferred_substitute_id)"
        " WHERE preferred_substitute_id IS NOT NULL"
    )


def _order_lines() -> None:
    op.execute(
        "ALTER TABLE order_lines"
        " ADD COLUMN category_id uuid,"
        " ADD COLUMN step_kg numeric(6, 3),"
        " ADD COLUMN price_per_kg numeric(12, 2),"
        " ADD COLUMN substitution text NOT NULL DEFAULT 'allow',"
        " ADD COLUMN preferred_substitute_id uuid,"
        " ADD COLUMN picked_quantity integer,"
        " ADD COLUMN picked_weight_kg numeric(12, 3),"
        " ADD COLUMN picked_amount numeric(12, 2),"
        " ADD COLUMN substitute_amount numeric(12, 2),"
        " ADD COLUMN final_discount numeric(12, 2),"
        " ADD COLUMN substitute_for uuid,"
        " ADD COLUMN sold_units integer,"
        " ADD COLUMN sold_revenue numeric(12, 2)"
    )
    op.execute(
        "UPDATE order_lines l SET category_id = p.category_id,"
        " sold_units = l.quantity, sold_revenue = l.line_total"
        " FROM products p WHERE p.id = l.product_id"
    )
    op.execute(
        "ALTER TABLE order_lines"
        " ALTER COLUMN sold_units SET NOT NULL,"
        " ALTER COLUMN sold_revenue SET NOT NULL,"
        " ADD CONSTRAINT ck_order_lines_substitution CHECK (substitution IN ('allow', 'none')),"
        " ADD CONSTRAINT ck_order_lines_weighed"
        "  CHECK ((step_kg IS NULL) = (price_per_kg IS NULL) AND (step_kg IS NULL OR step_kg > 0)),"
        " ADD CONSTRAINT ck_order_lines_picked_quantity"
        "  CHECK (picked_quantity BETWEEN 0 AND quantity),"
        " ADD CONSTRAINT ck_order_lines_picked_weight_kg CHECK (picked_weight_kg > 0),"
        " ADD CONSTRAINT ck_order_lines_billed"
        "  CHECK ((picked_amount IS NULL) = (final_discount IS NULL)"
        "   AND (picked_amount IS NULL) = (substitute_amount IS NULL)"
        "   AND (picked_amount IS NULL OR picked_amount >= 0 AND substitute_amount >= 0"
        "        AND final_discount BETWEEN 0 AND picked_amount + substitute_amount)),"
        " ADD CONSTRAINT ck_order_lines_sold"
        "  CHECK (sold_units BETWEEN 0 AND quantity AND sold_revenue >= 0),"
        " ADD CONSTRAINT fk_order_lines_substitute_for_order_lines"
        "  FOREIGN KEY (substitute_for) REFERENCES order_lines (id) ON DELETE CASCADE"
    )
    # One substitute per line; also what the foreign key's cascade looks up.
    op.execute("CREATE UNIQUE INDEX uq_order_lines_substitute_for ON order_lines (substitute_for)")
    # The reports' index-only scans now read what each line counts in sales.
    _report_indexes("sold_units, sold_revenue")


def _report_indexes(include: str) -> None:
    op.execute("DROP INDEX ix_order_lines_product_sales")
    op.execute("DROP INDEX ix_order_lines_order_sales")
    op.execute(
        "CREATE INDEX ix_order_lines_product_sales ON order_lines (product_id, order_id)"
        f" INCLUDE ({include})"
    )
    op.execute(
        "CREATE INDEX ix_order_lines_order_sales ON order_lines (order_id)"
        f" INCLUDE (product_id, {include})"
    )


def _orders() -> None:
    op.execute(
        "ALTER TABLE orders"
        " ADD COLUMN final_subtotal numeric(12, 2),"
        " ADD COLUMN final_discount numeric(12, 2),"
        " ADD COLUMN final_total numeric(12, 2),"
        " ADD COLUMN picked_at timestamp with time zone,"
        " DROP CONSTRAINT ck_orders_units_positive,"
        " ADD CONSTRAINT ck_orders_units_not_negative CHECK (units >= 0),"
        " ADD CONSTRAINT ck_orders_final_bill"
        "  CHECK ((picked_at IS NULL) = (final_total IS NULL)"
        "   AND (final_total IS NULL) = (final_subtotal IS NULL)"
        "   AND (final_total IS NULL) = (final_discount IS NULL)"
        "   AND (final_total IS NULL OR final_discount >= 0 AND final_total >= 0"
        "        AND final_total = final_subtotal - final_discount))"
    )
    _counted_created_at("id, units, total, final_total")


def _counted_created_at(include: str) -> None:
    op.execute("DROP INDEX ix_orders_counted_created_at")
    op.execute(
        "CREATE INDEX ix_orders_counted_created_at ON orders (created_at)"
        f" INCLUDE ({include}) WHERE status <> 'cancelled'"
    )


def _stock_movements() -> None:
    op.execute(
        f"""
        CREATE TABLE stock_movements (
            id uuid NOT NULL,
            product_id uuid NOT NULL,
            kind text NOT NULL,
            quantity integer NOT NULL,
            stock_after integer NOT NULL,
            order_id uuid,
            user_id uuid,
            note text,
            created_at timestamp with time zone NOT NULL,
            CONSTRAINT pk_stock_movements PRIMARY KEY (id),
            CONSTRAINT fk_stock_movements_product_id_products FOREIGN KEY (product_id)
                REFERENCES products (id) ON DELETE CASCADE,
            CONSTRAINT fk_stock_movements_order_id_orders FOREIGN KEY (order_id)
                REFERENCES orders (id) ON DELETE SET NULL,
            CONSTRAINT fk_stock_movements_user_id_users FOREIGN KEY (user_id)
                REFERENCES users (id) ON DELETE SET NULL,
            CONSTRAINT ck_stock_movements_kind CHECK (kind IN ({KINDS})),
            CONSTRAINT ck_stock_movements_quantity_not_zero CHECK (quantity <> 0),
            CONSTRAINT ck_stock_movements_stock_after_not_negative CHECK (stock_after >= 0)
        )
        """
    )
    # A product's ledger newest first; the cascades from orders and users look up theirs.
    op.execute(
        "CREATE INDEX ix_stock_movements_product_newest ON stock_movements (product_id, id DESC)"
    )
    op.execute(
        "CREATE INDEX ix_stock_movements_order_id ON stock_movements (order_id)"
        " WHERE order_id IS NOT NULL"
    )
    op.execute(
        "CREATE INDEX ix_stock_movements_user_id ON stock_movements (user_id)"
        " WHERE user_id IS NOT NULL"
    )
    op.execute(
        f"""
        INSERT INTO stock_movements (id, product_id, kind, quantity, stock_after, note, created_at)
        SELECT {UUID7}, id, 'initial', stock, stock, 'stock when the ledger began', now()
          FROM products WHERE stock > 0
        """  # noqa: S608 - constant text
    )


def _count_sold_lines_only(*, sold_only: bool) -> None:
    sold = " AND l.sold_units > 0" if sold_only else ""
    other_sold = " AND other.sold_units > 0" if sold_only else ""
    op.execute(
        f"""
        CREATE OR REPLACE FUNCTION grocery_order_categories_follow_product() RETURNS trigger
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
                    WHERE other.order_id = f.order_id AND p.category_id = OLD.category_id
                          {other_sold});
            INSERT INTO order_categories (order_id, category_id)
            SELECT DISTINCT l.order_id, NEW.category_id
              FROM order_lines l JOIN orders o ON o.id = l.order_id
             WHERE l.product_id = NEW.id AND o.status <> 'cancelled'{sold}
            ON CONFLICT DO NOTHING;
            RETURN NULL;
        END
        $$
        """  # noqa: S608 - constant text
    )


def downgrade() -> None:
    _count_sold_lines_only(sold_only=False)
    op.execute("DROP TABLE stock_movements")
    _counted_created_at("id, units, total")
    op.execute(
        "ALTER TABLE orders"
        " DROP CONSTRAINT ck_orders_final_bill,"
        " DROP CONSTRAINT ck_orders_units_not_negative,"
        " DROP COLUMN final_subtotal, DROP COLUMN final_discount, DROP COLUMN final_total,"
        " DROP COLUMN picked_at"
    )
    # Orders picked short of everything would break the old rule; they keep one unit.
    op.execute("UPDATE orders SET units = 1 WHERE units = 0")
    op.execute("ALTER TABLE orders ADD CONSTRAINT ck_orders_units_positive CHECK (units > 0)")
    _report_indexes("quantity, line_total")
    op.execute("DELETE FROM order_lines WHERE substitute_for IS NOT NULL")
    op.execute(
        "ALTER TABLE order_lines"
        " DROP COLUMN category_id, DROP COLUMN step_kg, DROP COLUMN price_per_kg,"
        " DROP COLUMN substitution, DROP COLUMN preferred_substitute_id,"
        " DROP COLUMN picked_quantity, DROP COLUMN picked_weight_kg, DROP COLUMN picked_amount,"
        " DROP COLUMN substitute_amount, DROP COLUMN final_discount, DROP COLUMN substitute_for,"
        " DROP COLUMN sold_units, DROP COLUMN sold_revenue"
    )
    op.execute(
        "ALTER TABLE cart_items DROP COLUMN substitution, DROP COLUMN preferred_substitute_id"
    )
    op.execute("ALTER TABLE products DROP COLUMN sold_by, DROP COLUMN step_kg")
