"""Tax classes in PostgreSQL. The unique name index and the categories' and products'
foreign keys (ON DELETE RESTRICT) decide clashes and deletions (adapters/sql/errors.py names
the refusals), so a class assigned while another request deletes it is never lost."""

from __future__ import annotations

from uuid import UUID

from sqlalchemy import delete, insert, select, update

from grocery.adapters.sql.database import SessionSql
from grocery.adapters.sql.schema.taxes import tax_classes
from grocery.core.taxes import TaxClass


class SqlTaxClassRepository:
    def __init__(self, sql: SessionSql) -> None:
        self._sql = sql

    async def add(self, tax_class: TaxClass) -> None:
        await self._sql.execute(
            insert(tax_classes).values(id=tax_class.id, name=tax_class.name, rate=tax_class.rate)
        )

    async def get(self, tax_class_id: UUID) -> TaxClass | None:
        query = select(tax_classes).where(tax_classes.c.id == tax_class_id)
        row = (await self._sql.execute(query)).first()
        return None if row is None else TaxClass(row.id, row.name, row.rate)

    async def all(self) -> list[TaxClass]:
        query = select(tax_classes).order_by(tax_classes.c.name, tax_classes.c.id)
        return [TaxClass(row.id, row.name, row.rate) for row in await self._sql.execute(query)]

    async def update(self, tax_class: TaxClass) -> None:
        await self._sql.execute(
            update(tax_classes)
            .where(tax_classes.c.id == tax_class.id)
            .values(name=tax_class.name, rate=tax_class.rate)
        )

    async def delete(self, tax_class_id: UUID) -> None:
        await self._sql.execute(delete(tax_classes).where(tax_classes.c.id == tax_class_id))
