"""Products over HTTP: the storefront's list and detail, the manager's edits."""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

import msgspec
from litestar import Controller, MediaType, Request, Response, delete, get, patch, post
from litestar.params import FromPath, FromQuery, JSONBody, Parameter
from msgspec import UNSET, UnsetType

from grocery.core.catalog import Unit
from grocery.core.catalog_edits import ProductEdit
from grocery.core.edits import keep_if_none
from grocery.core.identity import Principal
from grocery.core.ports.blobs import BlobStore
from grocery.core.services.catalog import CatalogService
from grocery.core.storefront import (
    DEFAULT_PAGE_SIZE,
    MAX_PAGE_SIZE,
    PUBLIC_SORTS,
    product_query,
)
from grocery.core.weights import SoldBy
from grocery.entrypoints.http.catalog import (
    ProductOut,
    ProductPageOut,
    Storefront,
    product_out,
    product_page_out,
)
from grocery.entrypoints.http.deps import Injected
from grocery.entrypoints.http.fields import (
    MONEY_PATTERN,
    Description,
    Kg,
    Money,
    Name,
    Slug,
    Stock,
    documented_query,
    kept_unless_sent,
)
from grocery.entrypoints.http.guards import PUBLIC, manager

PriceBound = Annotated[str | None, documented_query(pattern=MONEY_PATTERN)]
# One name for the path's one parameter: GET takes an id or a slug, changes take the id.
ProductId = Annotated[UUID, Parameter(description="The product's id.")]


class ProductBody(msgspec.Struct):
    name: Name
    category_id: UUID
    price: Money
    stock: Stock
    slug: Slug | None = None
    description: Description = ""
    unit: Unit | None = None  # piece, or kg for a product sold by weight
    low_stock_threshold: Stock | None = None  # GROCERY_LOW_STOCK_THRESHOLD when absent
    sold_by: SoldBy | None = None  # each unless told
    step_kg: Kg | None = None  # a weighed product's step: stock and quantities count steps
    tax_class_id: UUID | None = None  # none: taxed as its category is


class ProductChange(msgspec.Struct):
    """Only the fields sent change (null counts as not sent)."""

    name: Name | None = None
    slug: Slug | None = None
    description: Description | None = None
    category_id: UUID | None = None
    price: Money | None = None
    stock: Stock | None = None
    unit: Unit | None = None
    low_stock_threshold: Stock | None = None
    sold_by: SoldBy | None = None
    step_kg: Kg | None = None
    tax_class_id: UUID | UnsetType | None = UNSET  # null: taxed as its category is


def _address(request: Request[Any, Any, Any]) -> tuple[tuple[str, bytes], str]:
    """The request (path, query string) a kept page answers, and its route template."""
    scope = request.scope
    return (scope["path"], scope["query_string"]), scope["path_template"]


def _json(body: bytes) -> Response[Any]:
    """An encoded page as it was kept; the declared Struct documents its shape."""
    return Response(body, media_type=MediaType.JSON)


def _edit(body: ProductBody | ProductChange) -> ProductEdit:
    return ProductEdit(
        name=keep_if_none(body.name),
        slug=keep_if_none(body.slug),
        description=keep_if_none(body.description),
        category_id=keep_if_none(body.category_id),
        price=keep_if_none(body.price),
        stock=keep_if_none(body.stock),
        unit=keep_if_none(body.unit),
        low_stock_threshold=keep_if_none(body.low_stock_threshold),
        sold_by=keep_if_none(body.sold_by),
        step_kg=keep_if_none(body.step_kg),
        tax_class_id=kept_unless_sent(body.tax_class_id),
    )


class ProductController(Controller):
    path = "/products"
    tags = ("catalog",)

    @get("/", opt=PUBLIC)
    async def list_products(
        self,
        storefront: Injected[Storefront],
        request: Request[Any, Any, Any],
        category: FromQuery[str | None] = None,
        q: FromQuery[str | None] = None,
        min_price: PriceBound = None,
        max_price: PriceBound = None,
        in_stock: FromQuery[bool | None] = None,
        sort: Annotated[str | None, documented_query(enum=list(PUBLIC_SORTS))] = None,
        limit: Annotated[
            int, documented_query("Page size.", minimum=1, maximum=MAX_PAGE_SIZE)
        ] = DEFAULT_PAGE_SIZE,
        cursor: FromQuery[str | None] = None,
    ) -> Response[ProductPageOut]:
        """The storefront. `sort`: popular (default), -popular, price, -price, newest, name;
        a search (`q`) without a sort comes by relevance. Keyset pages via `cursor`."""
        query = product_query(
            sort=sort,
            limit=limit,
            category=category,
            q=q,
            min_price=min_price,
            max_price=max_price,
            in_stock=in_stock,
            cursor=cursor,
        )

        async def build() -> ProductPageOut:
            page = await storefront.catalog.browse(query)
            return await product_page_out(page, storefront.blobs)

        return _json(await storefront.pages.page(query, build, *_address(request)))

    @get("/{ref:str}", opt=PUBLIC)
    async def show_product(
        self, ref: FromPath[str], storefront: Injected[Storefront], request: Request[Any, Any, Any]
    ) -> Response[ProductOut]:
        """By id or slug, with all its images."""

        async def build() -> ProductOut:
            return await product_out(await storefront.catalog.product(ref), storefront.blobs)

        return _json(await storefront.pages.page(("product", ref), build, *_address(request)))

    @post("/", status_code=201, guards=[manager])
    async def add_product(
        self,
        data: JSONBody[ProductBody],
        principal: Injected[Principal],
        catalog: Injected[CatalogService],
        blobs: Injected[BlobStore],
    ) -> ProductOut:
        """A taken slug -> 409 `already_exists`. Its stock starts its ledger."""
        added = await catalog.add_product(_edit(data), by=principal.user_id)
        return await product_out(added, blobs)

    @patch("/{ref:uuid}", guards=[manager])
    async def edit_product(
        self,
        ref: ProductId,
        data: JSONBody[ProductChange],
        principal: Injected[Principal],
        catalog: Injected[CatalogService],
        blobs: Injected[BlobStore],
    ) -> ProductOut:
        """A rename keeps the slug unless a new one is given; a new `stock` is recorded as
        an adjustment."""
        edited = await catalog.edit_product(ref, _edit(data), by=principal.user_id)
        return await product_out(edited, blobs)

    @delete("/{ref:uuid}", status_code=204, guards=[manager])
    async def remove_product(
        self,
        ref: ProductId,
        catalog: Injected[CatalogService],
    ) -> None:
        """Deleted with its images; archived instead when an order ever had it."""
        await catalog.remove_product(ref)
