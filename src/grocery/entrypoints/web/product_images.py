"""A product's pictures in the back office: upload one (a multipart form, judged and stored
by the catalog service as the API's upload is) and remove one. Their previews are on the
product's page."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from litestar import Controller, Request, Router, post
from litestar.datastructures import UploadFile
from litestar.params import FromPath
from litestar.response import Redirect, Template

from grocery.core.errors import DomainError, Invalid
from grocery.core.ports.blobs import BlobStore
from grocery.core.services.catalog import CatalogService
from grocery.core.services.stock import StockService
from grocery.core.services.taxes import TaxClassService
from grocery.entrypoints.http.deps import Injected
from grocery.entrypoints.http.images import MULTIPART_OVERHEAD
from grocery.entrypoints.web.door import staff_only
from grocery.entrypoints.web.products import Shelf, product_page
from grocery.entrypoints.web.rendering import Refused, after_form


class ProductImagePages(Controller):
    path = "/{product_id:uuid}/images"
    guards = (staff_only,)

    @post("/")
    async def add_image(
        self,
        request: Request[Any, Any, Any],
        product_id: FromPath[UUID],
        catalog: Injected[CatalogService],
        stock: Injected[StockService],
        blobs: Injected[BlobStore],
        taxes: Injected[TaxClassService],
    ) -> Template | Redirect:
        """The picture in the field `file`: JPEG, PNG or WebP, told by its bytes; a refusal
        is shown next to the field."""
        upload = (await request.form()).get("file")
        try:
            await catalog.add_image(product_id, await _read(upload))
        except DomainError as refused:
            picture = Refused.whole(refused, "file")
            shelf = Shelf(catalog, stock, blobs, taxes)
            return await product_page(request, product_id, shelf, picture=picture)
        return after_form(request, f"/admin/products/{product_id}", "Picture added.")

    @post("/{image_id:uuid}/remove")
    async def remove_image(
        self,
        request: Request[Any, Any, Any],
        product_id: FromPath[UUID],
        image_id: FromPath[UUID],
        catalog: Injected[CatalogService],
    ) -> Redirect:
        """The stored picture goes too."""
        await catalog.remove_image(product_id, image_id)
        return after_form(request, f"/admin/products/{product_id}", "Picture removed.")


async def _read(upload: object) -> bytes:
    """The chosen file's bytes (the catalog judges them)."""
    if not isinstance(upload, UploadFile) or not upload.filename:
        raise Invalid(
            "Choose a picture to upload.", errors=[{"field": "file", "message": "is required"}]
        )
    try:
        return await upload.read()
    finally:
        await upload.close()


def image_pages(max_upload_bytes: int) -> Router:
    """Under /admin/products, allowed a body the size of a picture (the rest of the back
    office keeps the app's small limit)."""
    return Router(
        path="/products",
        route_handlers=[ProductImagePages],
        request_max_body_size=max_upload_bytes + MULTIPART_OVERHEAD,
    )
