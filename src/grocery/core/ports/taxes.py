"""Tax classes."""

from __future__ import annotations

from typing import Protocol
from uuid import UUID

from grocery.core.ports.transaction import Transaction
from grocery.core.taxes import TaxClass


class TaxClassRepository(Protocol):
    async def add(self, tax_class: TaxClass) -> None:
        """AlreadyExists when the name is taken ignoring case (checked by the store itself)."""
        ...

    async def get(self, tax_class_id: UUID) -> TaxClass | None: ...

    async def all(self) -> list[TaxClass]:
        """Every class, by name."""
        ...

    async def update(self, tax_class: TaxClass) -> None:
        """AlreadyExists as for add."""
        ...

    async def delete(self, tax_class_id: UUID) -> None:
        """InUse `tax_class_in_use`, and nothing deleted, while a category or a product
        (archived too) is taxed by it (checked by the store itself)."""
        ...


class TaxWork(Transaction, Protocol):
    """What a manager's tax class use cases work with."""

    tax_classes: TaxClassRepository
