"""Tax classes in the back office: the list with each rate, add, rename or re-rate, remove
(refused while a category or a product is taxed by it)."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from litestar import Controller, Request, get, post
from litestar.params import FromPath
from litestar.response import Redirect, Template

from grocery.core.errors import DomainError
from grocery.core.services.taxes import TaxClassService
from grocery.core.taxes import TaxClass, rate_text
from grocery.entrypoints.http.deps import Injected
from grocery.entrypoints.web.door import staff_only
from grocery.entrypoints.web.forms import FormReader
from grocery.entrypoints.web.rendering import Refused, after_form, done_or_refused, form_shown, page


class TaxClassPages(Controller):
    path = "/tax-classes"
    guards = (staff_only,)

    @get("/")
    async def list_tax_classes(
        self, request: Request[Any, Any, Any], taxes: Injected[TaxClassService]
    ) -> Template:
        return await _list(request, taxes)

    @post("/")
    async def add_tax_class(
        self, request: Request[Any, Any, Any], taxes: Injected[TaxClassService]
    ) -> Template | Redirect:
        form = FormReader(await request.form())
        added = await done_or_refused(
            form, lambda: taxes.create(form.text("name"), form.text("rate"))
        )
        if isinstance(added, Refused):
            return await _list(request, taxes, added)
        return after_form(request, "/admin/tax-classes", f"Added {added.name}.")

    @get("/{tax_class_id:uuid}")
    async def show_tax_class(
        self,
        request: Request[Any, Any, Any],
        tax_class_id: FromPath[UUID],
        taxes: Injected[TaxClassService],
    ) -> Template:
        tax_class = await taxes.get(tax_class_id)
        values = {"name": tax_class.name, "rate": rate_text(tax_class.rate)}
        return _edit_page(request, tax_class, values)

    @post("/{tax_class_id:uuid}")
    async def edit_tax_class(
        self,
        request: Request[Any, Any, Any],
        tax_class_id: FromPath[UUID],
        taxes: Injected[TaxClassService],
    ) -> Template | Redirect:
        form = FormReader(await request.form())
        edited = await done_or_refused(
            form, lambda: taxes.update(tax_class_id, name=form.text("name"), rate=form.text("rate"))
        )
        if isinstance(edited, Refused):
            return _edit_page(request, await taxes.get(tax_class_id), {}, edited)
        return after_form(request, "/admin/tax-classes", f"Saved {edited.name}.")

    @post("/{tax_class_id:uuid}/remove")
    async def remove_tax_class(
        self,
        request: Request[Any, Any, Any],
        tax_class_id: FromPath[UUID],
        taxes: Injected[TaxClassService],
    ) -> Template | Redirect:
        tax_class = await taxes.get(tax_class_id)
        try:
            await taxes.remove(tax_class_id)
        except DomainError as refused:  # no form to read: the refusal is the whole answer
            removal = Refused.whole(refused)
            return await _list(request, taxes, removal)
        return after_form(request, "/admin/tax-classes", f"Removed {tax_class.name}.")


def _edit_page(
    request: Request[Any, Any, Any],
    tax_class: TaxClass,
    values: dict[str, str],
    refused: Refused | None = None,
) -> Template:
    return page(
        request, "tax_classes/edit.html", **form_shown(values, refused), tax_class=tax_class
    )


async def _list(
    request: Request[Any, Any, Any],
    taxes: TaxClassService,
    refused: Refused | None = None,
) -> Template:
    return page(
        request,
        "tax_classes/list.html",
        **form_shown({}, refused),
        tax_classes=[(each, rate_text(each.rate)) for each in await taxes.all()],
    )
