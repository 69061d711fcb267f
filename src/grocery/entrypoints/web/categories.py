"""Categories in the back office: the list with each one's product count and tax class, add,
rename, tax, remove (refused while products are in it)."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from litestar import Controller, Request, get, post
from litestar.params import FromPath
from litestar.response import Redirect, Template

from grocery.core.catalog import CategorySummary
from grocery.core.errors import DomainError
from grocery.core.services.catalog import CatalogService
from grocery.core.services.taxes import TaxClassService
from grocery.core.taxes import rate_text
from grocery.entrypoints.http.deps import Injected
from grocery.entrypoints.web.door import staff_only
from grocery.entrypoints.web.forms import FormReader
from grocery.entrypoints.web.rendering import Refused, after_form, done_or_refused, form_shown, page


class CategoryPages(Controller):
    path = "/categories"
    guards = (staff_only,)

    @get("/")
    async def list_categories(
        self,
        request: Request[Any, Any, Any],
        catalog: Injected[CatalogService],
        taxes: Injected[TaxClassService],
    ) -> Template:
        return await _list(request, catalog, taxes)

    @post("/")
    async def add_category(
        self,
        request: Request[Any, Any, Any],
        catalog: Injected[CatalogService],
        taxes: Injected[TaxClassService],
    ) -> Template | Redirect:
        form = FormReader(await request.form())
        tax_class_id = form.id_or_none("tax_class_id")
        added = await done_or_refused(
            form,
            lambda: catalog.add_category(
                form.text("name"), form.text_or_keep("slug"), tax_class_id
            ),
        )
        if isinstance(added, Refused):
            return await _list(request, catalog, taxes, added)
        return after_form(request, "/admin/categories", f"Added {added.name}.")

    @get("/{category_id:uuid}")
    async def show_category(
        self,
        request: Request[Any, Any, Any],
        category_id: FromPath[UUID],
        catalog: Injected[CatalogService],
        taxes: Injected[TaxClassService],
    ) -> Template:
        category = await catalog.category(str(category_id))
        values = {
            "name": category.name,
            "slug": category.slug,
            "tax_class_id": str(category.tax_class_id or ""),
        }
        return await _edit_page(request, category, taxes, values)

    @post("/{category_id:uuid}")
    async def edit_category(
        self,
        request: Request[Any, Any, Any],
        category_id: FromPath[UUID],
        catalog: Injected[CatalogService],
        taxes: Injected[TaxClassService],
    ) -> Template | Redirect:
        form = FormReader(await request.form())
        tax_class_id = form.id_or_none("tax_class_id")
        edited = await done_or_refused(
            form,
            lambda: catalog.edit_category(
                str(category_id),
                name=form.text("name"),
                slug=form.text_or_keep("slug"),
                tax_class_id=tax_class_id,
            ),
        )
        if isinstance(edited, Refused):
            category = await catalog.category(str(category_id))
            return await _edit_page(request, category, taxes, {}, edited)
        return after_form(request, "/admin/categories", f"Saved {edited.name}.")

    @post("/{category_id:uuid}/remove")
    async def remove_category(
        self,
        request: Request[Any, Any, Any],
        category_id: FromPath[UUID],
        catalog: Injected[CatalogService],
        taxes: Injected[TaxClassService],
    ) -> Template | Redirect:
        category = await catalog.category(str(category_id))
        try:
            await catalog.remove_category(str(category_id))
        except DomainError as refused:  # no form to read: the refusal is the whole answer
            removal = Refused.whole(refused)
            return await _list(request, catalog, taxes, removal)
        return after_form(request, "/admin/categories", f"Removed {category.name}.")


async def tax_choices(taxes: TaxClassService) -> list[tuple[str, str]]:
    """The tax classes a form offers, each named with its rate."""
    return [(str(each.id), f"{each.name} ({rate_text(each.rate)} %)") for each in await taxes.all()]


async def _edit_page(
    request: Request[Any, Any, Any],
    category: CategorySummary,
    taxes: TaxClassService,
    values: dict[str, str],
    refused: Refused | None = None,
) -> Template:
    return page(
        request,
        "categories/edit.html",
        **form_shown(values, refused),
        category=category,
        tax_classes=await tax_choices(taxes),
    )


async def _list(
    request: Request[Any, Any, Any],
    catalog: CatalogService,
    taxes: TaxClassService,
    refused: Refused | None = None,
) -> Template:
    tax_classes = await tax_choices(taxes)
    return page(
        request,
        "categories/list.html",
        **form_shown({}, refused),
        categories=await catalog.categories(),
        tax_classes=tax_classes,
        taxed_by=dict(tax_classes),
    )
