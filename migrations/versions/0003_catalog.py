"""Catalog: categories, products, product images; search vector, trigram and sort indexes.

`products.search` is a weighted tsvector (name A, category B, description C; unaccented,
English stemming) kept by triggers: on a product's insert or edit, and on every product of
a category that is renamed. `products.name_key` (lowercased, unaccented name) is generated;
it serves the name sort and the trigram (typo) search.

Revision ID: 0003_catalog
Revises: 0002_accounts
Create Date: 2026-11-26
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import TSVECTOR

revision: str = "0003_catalog"
down_revision: str | None = "0002_accounts"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

UNITS = "'piece', 'kg', 'g', 'l', 'ml', 'pack', 'bunch'"

# One index per storefront sort, alone and within a category, over visible products only.
# Btree indexes scan both ways, so each serves its sort and the reverse (popular/-popular...).
SORT_INDEXES = {
    "popular": "units_sold DESC, id DESC",
    "price": "price, id",
    "newest": "created_at DESC, id DESC",
    "name": "name_key, id",
}


# pg_trgm declares its word similarity as cheap as an equality test; it costs microseconds a
# row. At its real price the planner reaches for the GIN indexes even for a broad search
# instead of scanning every product. Only the functions' owner may say so: others skip it.
TRIGRAM_FUNCTIONS = (
    "word_similarity(text, text)",
    "word_similarity_op(text, text)",
    "word_similarity_commutator_op(text, text)",
)


def _price_trigram_functions(cost: int) -> None:
    statements = " ".join(f"ALTER FUNCTION {name} COST {cost};" for name in TRIGRAM_FUNCTIONS)
    op.execute(
        f"""
        DO $$ BEGIN {statements}
        EXCEPTION WHEN insufficient_privilege THEN
            RAISE NOTICE 'pg_trgm function costs left as they are (not their owner)';
        END $$
        """
    )


def upgrade() -> None:
    op.create_table(
        "categories",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.String(120), nullable=False),
        sa.Column("slug", sa.String(120), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_categories"),
        sa.UniqueConstraint("slug", name="uq_categories_slug"),
    )
    op.create_index("uq_categories_name_key", "categories", [sa.text("lower(name)")], unique=True)
    op.create_table(
        "products",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("category_id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.String(120), nullable=False),
        sa.Column("slug", sa.String(120), nullable=False),
        sa.Column("description", sa.Text(), server_default="", nullable=False),
        sa.Column("price", sa.Numeric(12, 2), nullable=False),
        sa.Column("stock", sa.Integer(), nullable=False),
        sa.Column("unit", sa.String(8), nullable=False),
        sa.Column("low_stock_threshold", sa.Integer(), nullable=False),
        sa.Column("units_sold", sa.Integer(), server_default="0", nullable=False),
        sa.Column("archived", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column(
            "name_key",
            sa.Text(collation="C"),
            sa.Computed("lower(grocery_unaccent(name))", persisted=True),
            nullable=False,
        ),
        sa.Column("search", TSVECTOR(), nullable=False),
        sa.CheckConstraint("price >= 0", name="price_not_negative"),
        sa.CheckConstraint("stock >= 0", name="stock_not_negative"),
        sa.CheckConstraint("low_stock_threshold >= 0", name="low_stock_threshold_not_negative"),
        sa.CheckConstraint("units_sold >= 0", name="units_sold_not_negative"),
        sa.CheckConstraint(f"unit IN ({UNITS})", name="unit"),
        sa.ForeignKeyConstraint(
            ["category_id"],
            ["categories.id"],
            name="fk_products_category_id_categories",
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_products"),
        sa.UniqueConstraint("slug", name="uq_products_slug"),
    )
    op.create_index("ix_products_category_id", "products", ["category_id"])
    for name, columns in SORT_INDEXES.items():
        op.execute(f"CREATE INDEX ix_products_{name} ON products ({columns}) WHERE NOT archived")
        op.execute(
            f"CREATE INDEX ix_products_category_{name} ON products (category_id, {columns})"
            " WHERE NOT archived"
        )
    op.execute("CREATE INDEX ix_products_search ON products USING gin (search)")
    op.execute("CREATE INDEX ix_products_name_trgm ON products USING gin (name_key gin_trgm_ops)")
    op.create_table(
        "product_images",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("product_id", sa.Uuid(), nullable=False),
        sa.Column("key", sa.String(1024), nullable=False),
        sa.Column("content_type", sa.String(32), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("width", sa.Integer(), nullable=False),
        sa.Column("height", sa.Integer(), nullable=False),
        sa.CheckConstraint("size > 0 AND width > 0 AND height > 0", name="dimensions_positive"),
        sa.ForeignKeyConstraint(
            ["product_id"],
            ["products.id"],
            name="fk_product_images_product_id_products",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_product_images"),
        sa.UniqueConstraint("key", name="uq_product_images_key"),
    )
    op.create_index("ix_product_images_product_id_id", "product_images", ["product_id", "id"])
    _create_search_triggers()
    _price_trigram_functions(100)


def _create_search_triggers() -> None:
    op.execute(
        """
        CREATE FUNCTION grocery_product_search(name text, category text, description text)
        RETURNS tsvector
        LANGUAGE sql IMMUTABLE PARALLEL SAFE
        RETURN setweight(to_tsvector('english'::regconfig, grocery_unaccent(coalesce(name, ''))), 'A')
            || setweight(to_tsvector('english'::regconfig, grocery_unaccent(coalesce(category, ''))), 'B')
            || setweight(to_tsvector('english'::regconfig, grocery_unaccent(coalesce(description, ''))), 'C')
        """
    )
    op.execute(
        """
        CREATE FUNCTION grocery_products_search_row() RETURNS trigger
        LANGUAGE plpgsql AS $$
        BEGIN
            NEW.search := grocery_product_search(
                NEW.name,
                (SELECT name FROM categories WHERE id = NEW.category_id),
                NEW.description
            );
            RETURN NEW;
        END
        $$
        """
    )
    op.execute(
        """
        CREATE TRIGGER products_search BEFORE INSERT OR UPDATE OF name, description, category_id
        ON products FOR EACH ROW EXECUTE FUNCTION grocery_products_search_row()
        """
    )
    op.execute(
        """
        CREATE FUNCTION grocery_category_renamed() RETURNS trigger
        LANGUAGE plpgsql AS $$
        BEGIN
            UPDATE products
               SET search = grocery_product_search(name, NEW.name, description)
             WHERE category_id = NEW.id;
            RETURN NULL;
        END
        $$
        """
    )
    op.execute(
        """
        CREATE TRIGGER categories_search AFTER UPDATE OF name ON categories
        FOR EACH ROW WHEN (OLD.name IS DISTINCT FROM NEW.name)
        EXECUTE FUNCTION grocery_category_renamed()
        """
    )


def downgrade() -> None:
    _price_trigram_functions(1)
    op.drop_table("product_images")
    op.drop_table("products")
    op.execute("DROP TRIGGER IF EXISTS categories_search ON categories")
    op.drop_table("categories")
    op.execute("DROP FUNCTION IF EXISTS grocery_category_renamed()")
    op.execute("DROP FUNCTION IF EXISTS grocery_products_search_row()")
    op.execute("DROP FUNCTION IF EXISTS grocery_product_search(text, text, text)")
