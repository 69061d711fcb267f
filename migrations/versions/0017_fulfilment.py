"""Delivery and click-and-collect: addresses, delivery zones, pickup points, slots and holds.

- addresses: customers' delivery addresses, one default each (a partial unique index).
- delivery_zones and delivery_zone_prefixes: a normalised postal-code prefix belongs to one
  zone at most (its primary key), so the longest match is never a tie.
- pickup_points: the shop's counters.
- slots: a place (a zone for delivery, a pickup point for pickup: exactly one, by method),
  times (ends after it starts, cutoff by the start), capacity (1..10000) and `booked`, the
  orders' places, moved relative to itself and never above the capacity. Unique per place
  and times, so a batch run twice makes nothing the second time.
- slot_holds: one per customer's cart; a hold takes a place until `held_until`.

Revision ID: 0017_fulfilment
Revises: 0016_payments
Create Date: 2026-12-02
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0017_fulfilment"
down_revision: str | None = "0016_payments"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

MAX_SLOT_CAPACITY = 10_000  # core.fulfilment.slots.MAX_SLOT_CAPACITY when this was written


def upgrade() -> None:
    _addresses()
    _delivery_zones()
    _pickup_points()
    _slots()
    _slot_holds()


def _addresses() -> None:
    op.execute(
        """
        CREATE TABLE addresses (
            id uuid NOT NULL,
            user_id uuid NOT NULL,
            label varchar(60),
            recipient varchar(200) NOT NULL,
            line1 varchar(200) NOT NULL,
            line2 varchar(200),
            city varchar(200) NOT NULL,
            postal_code varchar(16) NOT NULL,
            country varchar(2) NOT NULL,
            phone varchar(40),
            instructions varchar(500),
            is_default boolean NOT NULL,
            created_at timestamp with time zone NOT NULL,
            CONSTRAINT pk_addresses PRIMARY KEY (id),
            CONSTRAINT fk_addresses_user_id_users FOREIGN KEY (user_id)
                REFERENCES users (id) ON DELETE CASCADE,
            CONSTRAINT ck_addresses_country_code CHECK (country ~ '^[A-Z]{2}$')
        )
        """
    )
    op.execute("CREATE INDEX ix_addresses_user_id_created_at ON addresses (user_id, created_at)")
    op.execute("CREATE UNIQUE INDEX uq_addresses_default ON addresses (user_id) WHERE is_default")


def _delivery_zones() -> None:
    op.execute(
        """
        CREATE TABLE delivery_zones (
            id uuid NOT NULL,
            name varchar(120) NOT NULL,
            fee numeric(12, 2) NOT NULL,
            free_delivery_over numeric(12, 2),
            min_order_amount numeric(12, 2),
            CONSTRAINT pk_delivery_zones PRIMARY KEY (id),
            CONSTRAINT ck_delivery_zones_fee_not_negative CHECK (fee >= 0),
            CONSTRAINT ck_delivery_zones_free_delivery_over_not_negative
                CHECK (free_delivery_over >= 0),
            CONSTRAINT ck_delivery_zones_min_order_amount_not_negative
                CHECK (min_order_amount >= 0)
        )
        """
    )
    op.execute(
        """
        CREATE TABLE delivery_zone_prefixes (
            prefix varchar(16) NOT NULL,
            zone_id uuid NOT NULL,
            CONSTRAINT pk_delivery_zone_prefixes PRIMARY KEY (prefix),
            CONSTRAINT fk_delivery_zone_prefixes_zone_id_delivery_zones FOREIGN KEY (zone_id)
                REFERENCES delivery_zones (id) ON DELETE CASCADE
        )
        """
    )
    op.execute("CREATE INDEX ix_delivery_zone_prefixes_zone_id ON delivery_zone_prefixes (zone_id)")


def _pickup_points() -> None:
    op.execute(
        """
        CREATE TABLE pickup_points (
            id uuid NOT NULL,
            name varchar(120) NOT NULL,
            line1 varchar(200) NOT NULL,
            city varchar(200) NOT NULL,
            postal_code varchar(16) NOT NULL,
            country varchar(2) NOT NULL,
            instructions varchar(500),
            is_active boolean NOT NULL,
            CONSTRAINT pk_pickup_points PRIMARY KEY (id),
            CONSTRAINT ck_pickup_points_country_code CHECK (country ~ '^[A-Z]{2}$')
        )
        """
    )


def _slots() -> None:
    op.execute(
        f"""
        CREATE TABLE slots (
            id uuid NOT NULL,
            method varchar(8) NOT NULL,
            zone_id uuid,
            pickup_point_id uuid,
            starts_at timestamp with time zone NOT NULL,
            ends_at timestamp with time zone NOT NULL,
            cutoff_at timestamp with time zone NOT NULL,
            capacity integer NOT NULL,
            booked integer NOT NULL DEFAULT 0,
            CONSTRAINT pk_slots PRIMARY KEY (id),
            CONSTRAINT fk_slots_zone_id_delivery_zones FOREIGN KEY (zone_id)
                REFERENCES delivery_zones (id) ON DELETE RESTRICT,
            CONSTRAINT fk_slots_pickup_point_id_pickup_points FOREIGN KEY (pickup_point_id)
                REFERENCES pickup_points (id) ON DELETE RESTRICT,
            CONSTRAINT ck_slots_method CHECK (method IN ('delivery', 'pickup')),
            CONSTRAINT ck_slots_one_place CHECK (
                method = 'delivery' AND zone_id IS NOT NULL AND pickup_point_id IS NULL
                OR method = 'pickup' AND pickup_point_id IS NOT NULL AND zone_id IS NULL),
            CONSTRAINT ck_slots_ends_after_starts CHECK (ends_at > starts_at),
            CONSTRAINT ck_slots_cutoff_by_start CHECK (cutoff_at <= starts_at),
            CONSTRAINT ck_slots_capacity CHECK (capacity BETWEEN 1 AND {MAX_SLOT_CAPACITY}),
            CONSTRAINT ck_slots_booked_within_capacity CHECK (booked BETWEEN 0 AND capacity),
            CONSTRAINT uq_slots_zone_times UNIQUE (zone_id, starts_at, ends_at),
            CONSTRAINT uq_slots_pickup_point_times UNIQUE (pickup_point_id, starts_at, ends_at)
        )
        """
    )
    op.execute("CREATE INDEX ix_slots_starts_at_id ON slots (starts_at, id)")


def _slot_holds() -> None:
    op.execute(
        """
        CREATE TABLE slot_holds (
            user_id uuid NOT NULL,
            slot_id uuid NOT NULL,
            address_id uuid,
            held_until timestamp with time zone NOT NULL,
            CONSTRAINT pk_slot_holds PRIMARY KEY (user_id),
            CONSTRAINT fk_slot_holds_user_id_users FOREIGN KEY (user_id)
                REFERENCES users (id) ON DELETE CASCADE,
            CONSTRAINT fk_slot_holds_slot_id_slots FOREIGN KEY (slot_id)
                REFERENCES slots (id) ON DELETE CASCADE,
            CONSTRAINT fk_slot_holds_address_id_addresses FOREIGN KEY (address_id)
                REFERENCES addresses (id) ON DELETE CASCADE
        )
        """
    )
    op.execute("CREATE INDEX ix_slot_holds_address_id ON slot_holds (address_id)")
    op.execute("CREATE INDEX ix_slot_holds_slot_id_held_until ON slot_holds (slot_id, held_until)")


def downgrade() -> None:
    for table in (
        "slot_holds",
        "slots",
        "pickup_points",
        "delivery_zone_prefixes",
        "delivery_zones",
        "addresses",
    ):
        op.execute(f"DROP TABLE {table}")
