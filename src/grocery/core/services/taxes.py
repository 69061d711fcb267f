"""Tax classes as managers keep them: create, list, rename or re-rate, retire.

A class still taxing a category or a product can't be deleted: the store refuses
(`tax_class_in_use`), so one assigned meanwhile is never left pointing at nothing.
"""

from __future__ import annotations

from uuid import UUID

from grocery.core.edits import KEEP, Keep, kept
from grocery.core.errors import NotFound
from grocery.core.ids import new_id
from grocery.core.ports.taxes import TaxWork
from grocery.core.ports.transaction import UnitOfWorkFactory
from grocery.core.taxes import TaxClass, rate_text, tax_class_draft


class TaxClassService:
    def __init__(self, *, uow: UnitOfWorkFactory[TaxWork]) -> None:
        self._uow = uow

    async def all(self) -> list[TaxClass]:
        async with self._uow() as uow:
            return await uow.tax_classes.all()

    async def get(self, tax_class_id: UUID) -> TaxClass:
        async with self._uow() as uow:
            return await _existing(uow, tax_class_id)

    async def create(self, name: str, rate: str) -> TaxClass:
        draft = tax_class_draft(name, rate)
        tax_class = TaxClass(id=new_id(), name=draft.name, rate=draft.rate)
        async with self._uow() as uow:
            await uow.tax_classes.add(tax_class)
            await uow.commit()
        return tax_class

    async def update(
        self, tax_class_id: UUID, *, name: str | Keep = KEEP, rate: str | Keep = KEEP
    ) -> TaxClass:
        """A new rate taxes carts from now on; orders keep the rate they were placed at."""
        async with self._uow() as uow:
            current = await _existing(uow, tax_class_id)
            draft = tax_class_draft(kept(name, current.name), kept(rate, rate_text(current.rate)))
            tax_class = TaxClass(id=current.id, name=draft.name, rate=draft.rate)
            await uow.tax_classes.update(tax_class)
            await uow.commit()
        return tax_class

    async def remove(self, tax_class_id: UUID) -> None:
        async with self._uow() as uow:
            await _existing(uow, tax_class_id)
            await uow.tax_classes.delete(tax_class_id)
            await uow.commit()


async def _existing(uow: TaxWork, tax_class_id: UUID) -> TaxClass:
    found = await uow.tax_classes.get(tax_class_id)
    if found is None:
        raise NotFound("There is no such tax class.")
    return found
