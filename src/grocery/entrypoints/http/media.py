"""/media: product images from a local directory or memory store, where no CDN serves them."""

from __future__ import annotations

from litestar import Response, get
from litestar.params import FromPath

from grocery.core.ports.blobs import BlobStore
from grocery.entrypoints.http.deps import Injected
from grocery.entrypoints.http.guards import PUBLIC

_CONTENT_TYPES = {"jpg": "image/jpeg", "png": "image/png", "webp": "image/webp"}


@get("/media/{key:path}", include_in_schema=False, opt=PUBLIC)
async def media(key: FromPath[str], blobs: Injected[BlobStore]) -> Response[bytes]:
    """The object under `key`, typed by its extension (keys are made by the server)."""
    key = key.lstrip("/")
    data = await blobs.get(key)
    extension = key.rpartition(".")[2].lower()
    return Response(
        data,
        media_type=_CONTENT_TYPES.get(extension, "application/octet-stream"),
        headers={
            # Keys are never reused, so a picture never changes under its URL.
            "Cache-Control": "public, max-age=31536000, immutable",
            "X-Content-Type-Options": "nosniff",
        },
    )
