"""Imports every row module so the metadata knows all tables (Alembic, tests)."""
