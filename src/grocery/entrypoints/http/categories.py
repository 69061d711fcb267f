"""Categories over HTTP: anyone reads them, managers change them."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

import msgspec
from litestar import Controller, delete, get, patch, post
from litestar.params import FromPath, JSONBody, QueryParameter
from msgspec import UNSET, UnsetType

from grocery.core.edits import keep_if_none
from grocery.core.services.catalog import CatalogService
from grocery.entrypoints.http.catalog import CategoryListOut, CategoryOut
from grocery.entrypoints.http.deps import Injected
from grocery.entrypoints.http.fields import Name, Slug, kept_unless_sent
from grocery.entrypoints.http.guards import PUBLIC, manager
from grocery.entrypoints.http.pages import refuse_any_cursor

OneWholePage = Annotated[
    str | None,
    QueryParameter(description="Never given out: this list is one page. Any cursor is a 422."),
]


class CategoryBody(msgspec.Struct):
    name: Name
    slug: Slug | None = None  # derived from the name when absent
    tax_class_id: UUID | None = None  # its products' tax class; none: untaxed


class CategoryChange(msgspec.Struct):
    name: Name | None = None
    slug: Slug | None = None
    tax_class_id: UUID | UnsetType | None = UNSET  # null: untaxed


class CategoryController(Controller):
    path = "/categories"
    tags = ("catalog",)

    @get("/", opt=PUBLIC)
    async def list_categories(
        self, catalog: Injected[CatalogService], cursor: OneWholePage = None
    ) -> CategoryListOut:
        """Every category, by name, with how many products each shows, on one page: its
        `next_cursor` is always null, so any `cursor` sent is refused (422)."""
        refuse_any_cursor(cursor)
        return CategoryListOut([CategoryOut.of(c) for c in await catalog.categories()])

    @get("/{ref:str}", opt=PUBLIC)
    async def show_category(
        self, ref: FromPath[str], catalog: Injected[CatalogService]
    ) -> CategoryOut:
        """By id or slug."""
        return CategoryOut.of(await catalog.category(ref))

    @post("/", status_code=201, guards=[manager])
    async def add_category(
        self,
        data: JSONBody[CategoryBody],
        catalog: Injected[CatalogService],
    ) -> CategoryOut:
        """A taken slug or name -> 409 `already_exists`; an unknown tax class -> 422."""
        added = await catalog.add_category(data.name, keep_if_none(data.slug), data.tax_class_id)
        return CategoryOut.of(added)

    @patch("/{ref:str}", guards=[manager])
    async def edit_category(
        self,
        ref: FromPath[str],
        data: JSONBody[CategoryChange],
        catalog: Injected[CatalogService],
    ) -> CategoryOut:
        """A rename keeps the slug unless a new one is given; `tax_class_id` null: untaxed."""
        edited = await catalog.edit_category(
            ref,
            name=keep_if_none(data.name),
            slug=keep_if_none(data.slug),
            tax_class_id=kept_unless_sent(data.tax_class_id),
        )
        return CategoryOut.of(edited)

    @delete("/{ref:str}", status_code=204, guards=[manager])
    async def remove_category(self, ref: FromPath[str], catalog: Injected[CatalogService]) -> None:
        """Refused with 409 `category_not_empty` while products are in it."""
        await catalog.remove_category(ref)
