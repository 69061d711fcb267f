"""Product images over HTTP: multipart uploads with their own body limit."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from uuid import UUID

from litestar import Controller, Request, Router, delete, post
from litestar.datastructures import UploadFile
from litestar.openapi.spec import (
    OpenAPIFormat,
    OpenAPIMediaType,
    OpenAPIType,
    Operation,
    RequestBody,
    Schema,
)
from litestar.params import FromPath

from grocery.core.errors import Invalid, UnsupportedMediaType
from grocery.core.ports.blobs import BlobStore
from grocery.core.services.catalog import CatalogService
from grocery.entrypoints.http.catalog import UploadedImageOut, uploaded_image_out
from grocery.entrypoints.http.deps import Injected
from grocery.entrypoints.http.guards import manager

# Room for the multipart boundary and part headers around a file of the allowed size.
MULTIPART_OVERHEAD = 16 * 1024


@dataclass
class _Upload(Operation):
    """The upload's body, for client generators: the handler reads the form itself (after
    its guard), so Litestar can't see it."""

    def __post_init__(self) -> None:
        picture = Schema(
            type=OpenAPIType.STRING,
            format=OpenAPIFormat.BINARY,
            description="A JPEG, PNG or WebP picture, judged by its bytes.",
        )
        form = Schema(type=OpenAPIType.OBJECT, properties={"file": picture}, required=["file"])
        self.request_body = RequestBody(
            content={"multipart/form-data": OpenAPIMediaType(schema=form)}, required=True
        )


class ProductImageController(Controller):
    path = "/{product_id:uuid}/images"
    tags = ("catalog",)
    guards = (manager,)

    @post("/", status_code=201, operation_class=_Upload)
    async def add_image(
        self,
        product_id: FromPath[UUID],
        request: Request[Any, Any, Any],
        catalog: Injected[CatalogService],
        blobs: Injected[BlobStore],
    ) -> UploadedImageOut:
        """multipart/form-data with the picture in field `file`: JPEG, PNG or WebP, told by
        its bytes. Too big -> 413; another type -> 415 `unsupported_media_type`; a broken
        picture -> 422; storage down -> 503 and nothing is kept."""
        # The controller's guard has let in a manager before the body is read: strangers
        # never get the server to read an upload.
        if request.content_type[0] != "multipart/form-data":
            raise UnsupportedMediaType("Send the picture as multipart/form-data.")
        upload = (await request.form()).get("file")
        if not isinstance(upload, UploadFile):
            raise Invalid(
                "Send the picture as the multipart/form-data field 'file'.",
                errors=[{"field": "file", "message": "is required"}],
            )
        try:
            image = await catalog.add_image(product_id, await upload.read())
        finally:
            await upload.close()
        return await uploaded_image_out(image, blobs)

    @delete("/{image_id:uuid}", status_code=204)
    async def remove_image(
        self,
        product_id: FromPath[UUID],
        image_id: FromPath[UUID],
        catalog: Injected[CatalogService],
    ) -> None:
        """The object is removed from storage too."""
        await catalog.remove_image(product_id, image_id)


def image_routes(max_upload_bytes: int) -> Router:
    """Uploads under /products, allowed a bigger body than the rest of the API."""
    return Router(
        path="/products",
        route_handlers=[ProductImageController],
        request_max_body_size=max_upload_bytes + MULTIPART_OVERHEAD,
    )
