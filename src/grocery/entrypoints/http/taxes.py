"""Tax classes over HTTP: anyone lists them, managers keep them."""

from __future__ import annotations

from uuid import UUID

import msgspec
from litestar import Controller, delete, get, patch, post
from litestar.params import FromPath, JSONBody

from grocery.core.edits import keep_if_none
from grocery.core.services.taxes import TaxClassService
from grocery.core.taxes import TaxClass, rate_text
from grocery.entrypoints.http.categories import OneWholePage
from grocery.entrypoints.http.deps import Injected
from grocery.entrypoints.http.fields import Name, Rate
from grocery.entrypoints.http.guards import PUBLIC, manager
from grocery.entrypoints.http.pages import refuse_any_cursor


class TaxClassBody(msgspec.Struct):
    name: Name
    rate: Rate


class TaxClassChange(msgspec.Struct):
    name: Name | None = None
    rate: Rate | None = None


class TaxClassOut(msgspec.Struct):
    id: UUID
    name: str
    rate: str  # a percent: "20", "7.5"

    @classmethod
    def of(cls, tax_class: TaxClass) -> TaxClassOut:
        return cls(tax_class.id, tax_class.name, rate_text(tax_class.rate))


class TaxClassListOut(msgspec.Struct):
    """Every class at once (a shop has few); `next_cursor` keeps the list shape."""

    items: list[TaxClassOut]
    next_cursor: str | None = None


class TaxClassController(Controller):
    path = "/tax-classes"
    tags = ("taxes",)

    @get("/", opt=PUBLIC)
    async def list_tax_classes(
        self, taxes: Injected[TaxClassService], cursor: OneWholePage = None
    ) -> TaxClassListOut:
        """Every tax class, by name, on one page: any `cursor` sent is refused (422)."""
        refuse_any_cursor(cursor)
        return TaxClassListOut([TaxClassOut.of(t) for t in await taxes.all()])

    @post("/", status_code=201, guards=[manager])
    async def add_tax_class(
        self, data: JSONBody[TaxClassBody], taxes: Injected[TaxClassService]
    ) -> TaxClassOut:
        """A taken name (ignoring case) -> 409 `already_exists`; a rate outside 0..100 -> 422."""
        return TaxClassOut.of(await taxes.create(data.name, data.rate))

    @patch("/{tax_class_id:uuid}", guards=[manager])
    async def edit_tax_class(
        self,
        tax_class_id: FromPath[UUID],
        data: JSONBody[TaxClassChange],
        taxes: Injected[TaxClassService],
    ) -> TaxClassOut:
        """A new rate prices carts from now on; placed orders keep theirs."""
        edited = await taxes.update(
            tax_class_id, name=keep_if_none(data.name), rate=keep_if_none(data.rate)
        )
        return TaxClassOut.of(edited)

    @delete("/{tax_class_id:uuid}", status_code=204, guards=[manager])
    async def remove_tax_class(
        self, tax_class_id: FromPath[UUID], taxes: Injected[TaxClassService]
    ) -> None:
        """Refused with 409 `tax_class_in_use` while a category or product is taxed by it."""
        await taxes.remove(tax_class_id)
