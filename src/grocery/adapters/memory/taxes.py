"""Tax classes in memory, kept with the catalog whose categories and products they tax.

Deleting one looks at the categories and products, as PostgreSQL's foreign keys do.
"""

from __future__ import annotations

from uuid import UUID

from grocery.adapters.memory.catalog import CatalogTables, taken
from grocery.core.taxes import TaxClass, tax_class_in_use


class MemoryTaxClassRepository:
    def __init__(self, tables: CatalogTables) -> None:
        self._tables = tables

    async def add(self, tax_class: TaxClass) -> None:
        self._refuse_clash(tax_class)
        self._tables.tax_classes[tax_class.id] = tax_class

    async def get(self, tax_class_id: UUID) -> TaxClass | None:
        return self._tables.tax_classes.get(tax_class_id)

    async def all(self) -> list[TaxClass]:
        return sorted(self._tables.tax_classes.values(), key=lambda t: (t.name, t.id))

    async def update(self, tax_class: TaxClass) -> None:
        self._refuse_clash(tax_class)
        self._tables.tax_classes[tax_class.id] = tax_class

    async def delete(self, tax_class_id: UUID) -> None:
        tables = self._tables
        taxed = [c.tax_class_id for c in tables.categories.values()]
        taxed += [p.tax_class_id for p in tables.products.values()]
        if tax_class_id in taxed:
            raise tax_class_in_use()
        tables.tax_classes.pop(tax_class_id, None)

    def _refuse_clash(self, tax_class: TaxClass) -> None:
        if any(
            other.id != tax_class.id and other.name.lower() == tax_class.name.lower()
            for other in self._tables.tax_classes.values()
        ):
            raise taken("tax class", "name")
